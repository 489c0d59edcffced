// Long dotted names in table cells and in the "on this page" box (answer.cumulative.lower,
// AssetResponseResults.prob_regime_greater) may break after a dot or an underscore, and nowhere else:
// a zero-width break opportunity (<wbr>) is put after each, so a key wraps at its parts instead of
// pushing its table past the article (tests/test_docs.py measures every page at 1280 px).
document.addEventListener("DOMContentLoaded", () => {
  const selector = ".bd-article table code span.pre, .bd-sidebar-secondary nav.page-toc code span.pre";
  for (const span of document.querySelectorAll(selector)) {
    const text = span.textContent;
    if (text.length < 16 || !/[._]/.test(text) || span.children.length) continue;
    span.textContent = "";
    for (const part of text.split(/(?<=[._])/)) {
      span.append(part);
      span.append(document.createElement("wbr"));
    }
  }
});
