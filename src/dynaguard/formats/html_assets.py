"""The stylesheet and script of the HTML report, inlined into the one file (no network).

The script only reads the DOM the server side wrote (rows with ``data-*`` attributes) and the
JSON block of filter values; it never builds HTML from data: text goes in with
``textContent``, so a hostile resource name stays text.
"""

from __future__ import annotations

CSS = """
:root { --fail:#c62828; --unknown:#b26a00; --pass:#2e7d32; --na:#757575; --sup:#6a1b9a;
  --crit:#7f0000; --high:#c62828; --medium:#b26a00; --low:#1565c0; --line:#ddd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #222; background: #fafafa; }
header { background: #263238; color: #fff; padding: 16px 24px; }
header h1 { margin: 0 0 6px; font-size: 20px; }
header dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
header dt { opacity: .7; } header dd { margin: 0; word-break: break-all; }
main { padding: 16px 24px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px;
  margin-bottom: 16px; }
h2 { font-size: 16px; margin: 0 0 8px; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 110px; }
.card b { display: block; font-size: 22px; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
.charts figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: 4px; }
.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: #555; }
.filters select, .filters input { font: inherit; padding: 3px 6px; min-width: 120px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px;
  border-bottom: 1px solid var(--line); }
th { cursor: pointer; user-select: none; background: #f3f3f3; position: sticky; top: 0; }
th[aria-sort=ascending]::after { content: " \\25B2"; }
th[aria-sort=descending]::after { content: " \\25BC"; }
.status { font-weight: 700; }
.s-FAIL { color: var(--fail); } .s-UNKNOWN { color: var(--unknown); }
.s-PASS { color: var(--pass); }
.s-NOT_APPLICABLE { color: var(--na); } .s-SUPPRESSED { color: var(--sup); }
.v-critical { color: var(--crit); font-weight: 700; } .v-high { color: var(--high); }
.v-medium { color: var(--medium); } .v-low { color: var(--low); }
.fix { background: #f1f8e9; border-left: 3px solid var(--pass); padding: 4px 8px; margin: 4px 0 0;
  white-space: pre-wrap; word-break: break-word; font: 12px ui-monospace, monospace; }
.evidence, .where { color: #666; font-size: 12px; }
.reason { word-break: break-word; }
#count { margin: 8px 0; color: #555; }
.notice { color: var(--unknown); }
"""

SCRIPT = """
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  var body = document.querySelector("#findings tbody");
  var filters = JSON.parse(document.getElementById("filter-values").textContent);
  var fields = ["status", "severity", "control", "account", "region"];
  fields.forEach(function (field) {
    var select = document.getElementById("f-" + field);
    filters[field].forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      select.appendChild(option);
    });
    select.addEventListener("change", apply);
  });
  var text = document.getElementById("f-text");
  text.addEventListener("input", apply);
  function apply() {
    var wanted = {};
    fields.forEach(function (field) {
      wanted[field] = document.getElementById("f-" + field).value;
    });
    var needle = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = fields.every(function (field) {
        return !wanted[field] || row.dataset[field] === wanted[field];
      });
      if (ok && needle) { ok = row.textContent.toLowerCase().indexOf(needle) !== -1; }
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.getElementById("count").textContent =
      shown + " of " + rows.length + " findings shown";
  }
  var order = {"critical": 0, "high": 1, "medium": 2, "low": 3,
    "FAIL": 0, "UNKNOWN": 1, "SUPPRESSED": 2, "PASS": 3, "NOT_APPLICABLE": 4};
  Array.prototype.forEach.call(document.querySelectorAll("#findings th"), function (th, i) {
    th.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(document.querySelectorAll("#findings th"), function (o) {
        o.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var key = th.dataset.key;
      rows.sort(function (a, b) {
        var x = a.dataset[key] || "", y = b.dataset[key] || "";
        if (x in order && y in order) { x = order[x]; y = order[y]; }
        var c = x < y ? -1 : (x > y ? 1 : 0);
        return ascending ? c : -c;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
})();
"""
