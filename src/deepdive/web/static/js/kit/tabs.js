// ARIA tabs: click or arrow keys (Home/End too) choose a tab; its panel (aria-controls) shows.

/** `tablist`: an element with role=tablist holding role=tab buttons. Returns {show(name)}. */
export function tabs(tablist, { onShow } = {}) {
  const all = [...tablist.querySelectorAll('[role="tab"]')];
  const panelOf = (tab) => document.getElementById(tab.getAttribute("aria-controls"));

  function show(name, { focus = false } = {}) {
    for (const tab of all) {
      const active = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(active));
      tab.tabIndex = active ? 0 : -1;
      const panel = panelOf(tab);
      if (panel) panel.hidden = !active;
      if (active && focus) tab.focus();
    }
    if (onShow) onShow(name);
  }

  all.forEach((tab, index) => {
    tab.addEventListener("click", () => show(tab.dataset.tab));
    tab.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: all.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      const next = all[(moves[event.key] + all.length) % all.length];
      show(next.dataset.tab, { focus: true });
    });
  });
  return { show };
}
