"""axe-core inside the browser tests: WCAG 2.1 AA is the bar, and a serious or critical
violation fails the test with the rule, its impact, what to do and the elements at fault.

axe comes from npm (package.json pins it) and is copied to static/vendor by scripts/vendor.mjs;
it is evaluated from that local file, so the check needs no network and is not blocked by the
page's Content-Security-Policy (CDP evaluation is not subject to it)."""

from __future__ import annotations

import weakref
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

AXE_JS = Path(__file__).resolve().parents[2] / "sportsplatform" / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")

# Our bar is stricter than axe's defaults in one place: a placeholder or a title is not a label.
# axe accepts either as a field's name (WCAG 4.1.2), but a placeholder vanishes as soon as one
# types and a title only shows on mouse hover, so neither labels the field for the elderly users
# and phone users we serve (WCAG 3.3.2 "Labels or Instructions").
STRICTER_LABELS = """() => {
  const named = ["implicit-label", "explicit-label", "aria-label", "aria-labelledby", "presentational-role"];
  axe.configure({rules: [{id: "label", any: named}, {id: "select-name", any: named}]});
}"""


# page → paths checked on it; the browser conftest fails a test that visited a public page
# without checking it.
_checked: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class AccessibilityError(AssertionError):
    pass


def checked_paths(page) -> set[str]:
    return _checked.setdefault(page, set())


@cache
def axe_source() -> str:
    if not AXE_JS.exists():
        raise AccessibilityError(
            f"{AXE_JS} is missing: run `make install` (npm ci, then node scripts/vendor.mjs copies axe-core)."
        )
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page, *, tags: list[str] | None = None, context: str | dict = "document") -> dict:
    """axe.run on the current page; returns axe's result object (violations, incomplete, ...).
    Waits for the load event first: contrast is judged on the page as styled."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
        page.evaluate(STRICTER_LABELS)
    return page.evaluate(
        """async ([context, tags]) => {
            const target = context === "document" ? document : context;
            return await axe.run(target, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
        }""",
        [context, tags or WCAG_21_AA],
    )


def format_violations(violations: list[dict], *, url: str, label: str = "") -> str:
    where = f"{url} ({label})" if label else url
    lines = [f"{len(violations)} serious/critical WCAG 2.1 AA violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation['impact']}]: {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            selector = " ".join(" > ".join(t) if isinstance(t, list) else t for t in node["target"])
            lines.append(f"    at {selector}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n         ")
            if summary:
                lines.append(f"         {summary}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more element(s)")
    return "\n".join(lines)


def assert_accessible(page, *, label: str = "", impacts: tuple[str, ...] = FAILING_IMPACTS) -> dict:
    """Fail on any violation of `impacts` severity on the page as it is now. Returns axe's result."""
    __tracebackhide__ = True
    result = run_axe(page)
    checked_paths(page).add(urlsplit(page.url).path)
    failing = [v for v in result["violations"] if v.get("impact") in impacts]
    if failing:
        large_text = page.evaluate("() => document.documentElement.classList.contains('large-text')")
        context = [getattr(page, "screen_name", ""), "large text" if large_text else "", label]
        raise AccessibilityError(format_violations(failing, url=page.url, label=", ".join(c for c in context if c)))
    return result
