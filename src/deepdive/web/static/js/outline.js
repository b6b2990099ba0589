// The lesson outline in the sidebar marks the section being read (aria-current="location"):
// the last heading that has scrolled above the upper third of the window.
const outline = document.querySelector("[data-outline]");

if (outline && "IntersectionObserver" in window) {
  const links = [...outline.querySelectorAll("[data-outline-link]")];
  const headings = links
    .map((link) => document.getElementById(decodeURIComponent(link.hash.slice(1))))
    .filter(Boolean);

  const mark = () => {
    const line = window.innerHeight / 3;
    let current = headings[0];
    for (const heading of headings) {
      if (heading.getBoundingClientRect().top <= line) current = heading;
      else break;
    }
    for (const link of links) {
      const here = current && link.hash === `#${encodeURIComponent(current.id)}`;
      if (here) link.setAttribute("aria-current", "location");
      else link.removeAttribute("aria-current");
    }
  };

  // A heading crossing the upper third of the window (either way) is when the answer can change.
  const observer = new IntersectionObserver(mark, { rootMargin: "0px 0px -66% 0px", threshold: [0, 1] });
  headings.forEach((heading) => observer.observe(heading));
  mark();
}
