

def test_built_api_tables_have_whole_summaries() -> None:
    """The same rule on the built site's tables (``CAUSALMACRO_DOCS_HTML``), what a reader sees."""
    import html
    import os

    site = os.environ.get("CAUSALMACRO_DOCS_HTML")
    if not site or not (Path(site) / "index.html").is_file():
        pytest.skip("set CAUSALMACRO_DOCS_HTML to a built site")
    bad, rows = [], 0
    for page in sorted((Path(site) / "reference").rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for table in re.findall(r'<table class="autosummary.*?</table>', text, flags=re.S):
            for row in re.findall(r"<tr.*?</tr>", table, flags=re.S):
                cells = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
                if len(cells) != 2:
                    continue
                rows += 1
                summary = html.unescape(re.sub(r"<.*?>", "", cells[1])).strip()
                problem = summary_problem(summary)
                if problem:
                    bad.append(f"{page.name}: {re.sub(r'<.*?>', '', cells[0]).strip()}: {problem}: {summary!r}")
    assert rows > 300
    assert not bad, "\n".join(bad)
