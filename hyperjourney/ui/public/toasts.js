// Chainlit shows a failed request as a toast reading "<HTTP status text>: <detail>" ("Unauthorized: Wrong
// username or password."). The detail is the sentence the server wrote for a person; the status text is a code
// word in front of it, so it is taken off wherever a toast appears (sonner toasts carry data-sonner-toast).
(() => {
  const PREFIX = /^(Bad Request|Unauthorized|Forbidden|Not Found|Conflict|Unprocessable (Content|Entity)|Too Many Requests|Internal Server Error): (?=\S)/;
  const clean = (node) => {
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      if (PREFIX.test(text.nodeValue)) text.nodeValue = text.nodeValue.replace(PREFIX, "");
    }
  };
  const observer = new MutationObserver(() => {
    document.querySelectorAll("[data-sonner-toast]").forEach(clean);
  });
  observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
})();
