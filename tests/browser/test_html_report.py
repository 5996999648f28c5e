"""The HTML report in a real headless Chromium: no console error, no script from data, the
filters and the sort work, one row per finding; a screenshot is kept in test-artifacts/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "<img src=x onerror=alert(1)>.tf"
TABLE = """
resource "aws_dynamodb_table" "t{n}" {{
  name         = "t{n}-<script>alert(2)</script>"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {{
    name = "id"
    type = "S"
  }}
  point_in_time_recovery {{
    enabled = {pitr}
  }}
}}
"""


@pytest.fixture(scope="module")
def report_files(tmp_path_factory):
    """`dynaguard iac` on code whose file name and table names are hostile: html + json."""
    code = tmp_path_factory.mktemp("code")
    (code / HOSTILE).write_text(TABLE.format(n=1, pitr="false") + TABLE.format(n=2, pitr="true"))
    (code / "other.tf").write_text(TABLE.format(n=3, pitr="false"))
    out = tmp_path_factory.mktemp("out")

    def iac(fmt):
        target = out / f"report.{fmt}"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dynaguard.cli.main",
                "iac",
                str(code),
                "--format",
                fmt,
                "-o",
                str(target),
                "--no-history",
            ],
            cwd=ROOT,
            check=False,
            capture_output=True,
            text=True,
        )
        return target

    return iac("html"), json.loads(iac("json").read_text())


def _visible_rows(driver):
    return [r for r in driver.find_elements(By.CSS_SELECTOR, "tr.finding") if r.is_displayed()]


def _errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_loads_without_errors_and_runs_no_script_from_data(browser, report_files):
    html, data = report_files
    browser.get(html.as_uri())
    assert _errors(browser) == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert
    assert browser.find_elements(By.TAG_NAME, "img") == []
    page = browser.find_element(By.TAG_NAME, "body").text
    assert HOSTILE in page  # shown as text
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.finding")
    assert len(rows) == len(data["findings"])
    statuses = sorted(r.get_attribute("data-status") for r in rows)
    assert statuses == sorted(f["status"] for f in data["findings"])
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "html-report.png"))


def test_filters_by_status_control_and_text(browser, report_files):
    html, data = report_files
    browser.get(html.as_uri())
    Select(browser.find_element(By.ID, "f-status")).select_by_value("FAIL")
    fails = [f for f in data["findings"] if f["status"] == "FAIL"]
    assert len(_visible_rows(browser)) == len(fails) > 0
    assert browser.find_element(By.ID, "count").text.startswith(f"{len(fails)} of ")
    Select(browser.find_element(By.ID, "f-control")).select_by_value("DDB.002")
    expected = [f for f in fails if f["control_id"] == "DDB.002"]
    assert len(_visible_rows(browser)) == len(expected)
    Select(browser.find_element(By.ID, "f-status")).select_by_value("")
    Select(browser.find_element(By.ID, "f-control")).select_by_value("")
    box = browser.find_element(By.ID, "f-text")
    box.send_keys("TABLE.T3")  # case-insensitive
    rows = _visible_rows(browser)
    assert rows and all("table.t3" in r.text for r in rows)
    assert len(rows) == sum(1 for f in data["findings"] if f["resource_id"].endswith(".t3"))
    box.clear()
    box.send_keys(" ")
    assert len(_visible_rows(browser)) == len(data["findings"])
    assert _errors(browser) == []


def test_sorting_by_severity_and_back(browser, report_files):
    html, _ = report_files
    browser.get(html.as_uri())
    header = browser.find_element(By.CSS_SELECTOR, 'th[data-key="severity"]')
    header.click()
    order = ["critical", "high", "medium", "low"]
    first = [r.get_attribute("data-severity") for r in _visible_rows(browser)]
    assert first == sorted(first, key=order.index)
    header.click()
    second = [r.get_attribute("data-severity") for r in _visible_rows(browser)]
    assert second == sorted(second, key=order.index, reverse=True)
    assert header.get_attribute("aria-sort") == "descending"
