import datetime as dt
import textwrap

import pytest

from dynaguard.config import Baseline
from dynaguard.config_load import load_config, parse_config
from dynaguard.errors import ConfigError


def write(tmp_path, text):
    p = tmp_path / "dynaguard.yaml"
    p.write_text(textwrap.dedent(text))
    return p


def test_defaults_when_no_file():
    cfg = load_config(None)
    assert cfg.baseline == Baseline()
    assert cfg.baseline.encryption == "cmk"
    assert cfg.baseline.pitr_min_days == 35
    assert cfg.baseline.stream_view_types == ("NEW_AND_OLD_IMAGES",)


def test_full_example_from_the_issue(tmp_path):
    p = write(
        tmp_path,
        """
        baseline:
          encryption: kms
          allowed_kms_keys: ["arn:aws:kms:us-east-1:111122223333:key/abc"]
          pitr_min_days: 14
          trusted_accounts: ["444455556666"]
          trusted_org_ids: [o-abc123]
          stream_view_types: [NEW_AND_OLD_IMAGES, NEW_IMAGE]
          required_tags: [owner, data-classification]
          autoscaling: {target_utilization: 60}
        controls:
          DDB.013: {enabled: false}
          DDB.004: {severity: high}
        suppressions:
          - {control: DDB.014, resources: ["sentinel-*"], reason: "no expiring items", expires: 2027-01-01}
        """,
    )
    cfg = load_config(p)
    assert cfg.baseline.encryption == "kms"
    assert cfg.baseline.pitr_min_days == 14
    assert cfg.baseline.trusted_accounts == ("444455556666",)
    assert cfg.baseline.autoscaling.target_utilization == 60
    assert cfg.controls["DDB.013"].enabled is False
    assert cfg.controls["DDB.004"].severity == "high"
    (s,) = cfg.suppressions
    assert s.expires == dt.date(2027, 1, 1)
    assert s.matches("DDB.014", ("sentinel-sessions",))
    assert not s.matches("DDB.014", ("orders",))
    assert not s.matches("DDB.013", ("sentinel-sessions",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "baseline:\n  encyption: cmk\n",
            r"dynaguard.yaml:2: baseline.encyption: unknown key \(did you mean 'encryption'\?\)",
        ),
        ("baseline:\n  encryption: aes\n", r":2: baseline.encryption: must be 'cmk' or 'kms'"),
        ("baseline:\n  pitr_min_days: 90\n", r":2: baseline.pitr_min_days: must be 1 to 35"),
        ("baseline:\n  pitr_min_days: ten\n", r":2: baseline.pitr_min_days: expected int"),
        ("baseline:\n  trusted_accounts: [1234]\n", r"not a 12-digit account id"),
        ("baseline:\n  allowed_kms_keys: [my-key]\n", r"not a KMS key ARN"),
        ("baseline:\n  stream_view_types: [ALL]\n", r"stream_view_types: must be a non-empty list"),
        ("baseline:\n  autoscaling: {target_utilization: 95}\n", r"must be 20 to 90"),
        ("controls:\n  DDB.099: {enabled: false}\n", r":2: controls.DDB.099: unknown key"),
        ("controls:\n  DDB.002: {enabled: maybe}\n", r"controls.DDB.002.enabled: expected bool"),
        ("controls:\n  DDB.002: {severity: urgent}\n", r"severity: must be one of"),
        (
            "suppressions:\n  - {control: DDB.002, resources: [a]}\n",
            r"suppressions\[0\]: missing 'reason'",
        ),
        ("suppressions:\n  - {control: DDB.002, resources: [a], reason: ''}\n", r"needs a reason"),
        (
            "suppressions:\n  - {control: DDB.002, resources: [a], reason: x, expires: soon}\n",
            r"not a date",
        ),
        ("suppressions:\n  - {control: DDB.77, resources: [a], reason: x}\n", r"unknown control"),
        ("surpressions: []\n", r":1: surpressions: unknown key \(did you mean 'suppressions'\?\)"),
        ("baseline: [1, 2]\n", r"baseline: expected a mapping"),
        ("baseline:\n  encryption: cmk\n   bad: indent\n", r"dynaguard.yaml:3: invalid YAML"),
    ],
)
def test_bad_config_names_key_and_line(tmp_path, text, expected):
    p = write(tmp_path, text)
    with pytest.raises(ConfigError, match=expected) as err:
        load_config(p)
    assert "\n" not in str(err.value)
    assert err.value.exit_code == 2


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "nope.yaml")


def test_expired_suppression_detected():
    cfg = parse_config(
        {
            "suppressions": [
                {"control": "DDB.002", "resources": ["t"], "reason": "r", "expires": "2020-01-01"}
            ]
        }
    )
    assert cfg.suppressions[0].expired(dt.date(2026, 1, 1))
    assert not cfg.suppressions[0].expired(dt.date(2019, 12, 31))


def test_harden_section(tmp_path):
    p = write(
        tmp_path,
        """
        baseline: {pitr_min_days: 14}
        harden:
          kms_key: {us-east-1: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "*": alias/app}
          ttl_attributes: {sessions: expires_at}
          default_tags: {owner: platform}
          backup_tag: {backup: daily}
          backup_plan: {plan: nightly, iam_role_arn: "arn:aws:iam::111122223333:role/backup", retention_days: 30}
          max_capacity_multiple: 8
          pitr_days: 21
          opt_in: [DDB.013, DDB.015]
        """,
    )
    h = load_config(p).harden
    assert h.kms_key["*"] == "alias/app"
    assert h.ttl_attributes == {"sessions": "expires_at"}
    assert h.backup_tag == ("backup", "daily")
    assert h.backup_plan is not None and h.backup_plan.plan == "nightly"
    assert h.backup_plan.retention_days == 30
    assert (h.max_capacity_multiple, h.pitr_days, h.opt_in) == (8, 21, ("DDB.013", "DDB.015"))
    one = parse_config(
        {
            "harden": {
                "kms_key": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
            }
        }
    )
    assert list(one.harden.kms_key) == ["eu-west-1"]  # a key ARN lives in its region


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "harden:\n  kms_keys: alias/x\n",
            r":2: harden.kms_keys: unknown key \(did you mean 'kms_key'\?\)",
        ),
        ("harden:\n  kms_key: my key\n", r"harden.kms_key: 'my key' is not a KMS key"),
        ("harden:\n  kms_key: {moon-1: alias/x}\n", r"not a region name"),
        ("harden:\n  pitr_days: 40\n", r":2: harden.pitr_days: must be 1 to 35"),
        ("harden:\n  pitr_days: 7\n", r"below baseline.pitr_min_days"),
        (
            "harden:\n  opt_in: [DDB.003]\n",
            r"harden.opt_in: DDB.003: only DDB.006, DDB.013, DDB.015",
        ),
        ("harden:\n  backup_tag: {a: b, c: d}\n", r"harden.backup_tag: expected one"),
        (
            "harden:\n  backup_plan: {plan: x, role: y}\n",
            r":2: harden.backup_plan.role: unknown key",
        ),
        ("harden:\n  backup_plan: {iam_role_arn: nope}\n", r"not an IAM role ARN"),
        ("harden:\n  max_capacity_multiple: 0\n", r"must be 1 to 1000"),
        ("harden:\n  default_tags: [a]\n", r"harden.default_tags: expected a mapping"),
    ],
)
def test_bad_harden_section_names_key_and_line(tmp_path, text, expected):
    p = write(tmp_path, text)
    with pytest.raises(ConfigError, match=expected):
        load_config(p)


@pytest.mark.parametrize(
    "text",
    [
        'harden:\n  kms_key: {"us-east-1\\n": alias/x}\n',
        "harden:\n  kms_key: {us-east-1x: alias/x}\n",
        "harden:\n  kms_key: {'**': alias/x}\n",
        "cost:\n  prices: {moon-1: {alarm_month: 0.1}}\n",
        'cost:\n  prices: {"us-east-1\\n": {alarm_month: 0.1}}\n',
    ],
)
def test_region_or_star_is_one_rule(tmp_path, text):
    """harden.kms_key and cost.prices key their mappings by region or '*' with the one rule
    of model/aws_rules.py (a trailing newline is no region either)."""
    with pytest.raises(ConfigError, match="not a region name"):
        load_config(write(tmp_path, text))
    ok = text.replace("us-east-1\\n", "us-east-1").replace("us-east-1x", "'*'")
    ok = ok.replace("'**'", "eu-west-1").replace("moon-1", "'*'")
    load_config(write(tmp_path, ok))


@pytest.mark.parametrize(
    "text", ["harden:\n  kms_key: {12: alias/x}\n", "cost:\n  prices: {12: {alarm_month: 0.1}}\n"]
)
def test_a_region_key_that_is_not_text_gets_the_same_line(tmp_path, text):
    with pytest.raises(ConfigError, match=r"12: not a region name \(or '\*'\)"):
        load_config(write(tmp_path, text))
