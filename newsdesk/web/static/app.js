// newsdesk: optional keyboard shortcuts. Every page works without this file.
// "/" focuses the search box; "j" / "k" follow the page's rel="next" / rel="prev" link.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
  if (event.key === "/") {
    const box = document.getElementById("search-box");
    if (box) { event.preventDefault(); box.focus(); }
  } else if (event.key === "j" || event.key === "k") {
    const link = document.querySelector(event.key === "j" ? 'a[rel="next"]' : 'a[rel="prev"]');
    if (link) window.location.assign(link.getAttribute("href"));
  }
});
