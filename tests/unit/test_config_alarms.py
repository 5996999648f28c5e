"""harden.alarm_topic / alarm_datapoints / alarm_evaluation_periods (DDB.018) in the config."""

from __future__ import annotations

import pytest

from dynaguard.config_load import parse_config
from dynaguard.errors import ConfigError

TOPIC = "arn:aws:sns:us-east-1:123456789012:ops"


def test_one_topic_or_one_per_region() -> None:
    one = parse_config({"harden": {"alarm_topic": TOPIC}})
    assert one.harden.alarm_topic == {"us-east-1": TOPIC}
    west = TOPIC.replace("us-east-1", "eu-west-1")
    two = parse_config({"harden": {"alarm_topic": [TOPIC, west]}})
    assert two.harden.alarm_topic == {"us-east-1": TOPIC, "eu-west-1": west}


@pytest.mark.parametrize(
    ("harden", "message"),
    [
        ({"alarm_topic": "ops"}, "not an SNS topic ARN"),
        ({"alarm_topic": [TOPIC, TOPIC]}, "one per region"),
        ({"alarm_datapoints": 0}, "1 to 1440"),
        ({"alarm_datapoints": 3, "alarm_evaluation_periods": 2}, "must not exceed"),
        ({"alarm_datapoints": True}, "boolean"),
    ],
)
def test_bad_alarm_settings_name_the_key(harden: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        parse_config({"harden": harden}, "c.yaml")
    assert "harden.alarm_" in str(err.value)


def test_datapoints_default_the_evaluation_periods() -> None:
    cfg = parse_config({"harden": {"alarm_datapoints": 3}})
    assert (cfg.harden.alarm_datapoints, cfg.harden.alarm_evaluation_periods) == (3, 3)
    cfg = parse_config({"harden": {"alarm_datapoints": 2, "alarm_evaluation_periods": 5}})
    assert (cfg.harden.alarm_datapoints, cfg.harden.alarm_evaluation_periods) == (2, 5)
