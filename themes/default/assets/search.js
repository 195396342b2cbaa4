// The search page's script: Pagefind's JS API with the site's own markup. Without it the page
// shows its message and the lists to browse; nothing here is needed to reach any page.
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const filterBox = document.getElementById("search-filters");
const status = document.getElementById("search-status");
const results = document.getElementById("search-results");
const noScript = document.getElementById("search-no-script");
const failed = document.getElementById("search-failed");
const selects = Array.from(form.querySelectorAll("select[data-filter]"));
const MAX_RESULTS = 30;
const OPTIONS = { excerptLength: 24 };

function message(key, values) {
  const template = status.dataset[key] || "";
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : ""));
}

function chosenFilters() {
  const filters = {};
  for (const select of selects) {
    if (select.value) {
      filters[select.dataset.filter] = select.value;
    }
  }
  return filters;
}

// Keeps the address in step with the form, so a search can be bookmarked, shared and reloaded.
function rememberQuery(query, filters) {
  const params = new URLSearchParams();
  if (query) {
    params.set("q", query);
  }
  for (const [name, value] of Object.entries(filters)) {
    params.set(name, value);
  }
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

// Pagefind's excerpt is HTML with <mark> around the matched words; copy only text and marks.
function excerptNodes(html) {
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html").body.firstChild;
  const nodes = [];
  for (const node of parsed.childNodes) {
    if (node.nodeType === Node.ELEMENT_NODE && node.tagName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      nodes.push(mark);
    } else {
      nodes.push(document.createTextNode(node.textContent));
    }
  }
  return nodes;
}

function resultItem(data) {
  const item = document.createElement("li");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = (data.meta && data.meta.title) || data.url;
  heading.append(link);
  item.append(heading);
  const facts = [];
  for (const name of ["type", "municipality", "year"]) {
    const values = (data.filters && data.filters[name]) || [];
    if (values.length) {
      facts.push(values.join(", "));
    }
  }
  if (facts.length) {
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = facts.join(" · ");
    item.append(meta);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "summary";
  excerpt.append(...excerptNodes(data.excerpt || ""));
  item.append(excerpt);
  return item;
}

async function start() {
  let pagefind;
  try {
    const bundle = new URL(form.dataset.pagefind, document.baseURI);
    pagefind = await import(bundle.href);
    await pagefind.options(OPTIONS);
    await pagefind.init();
    // A large site's index comes in parts (Pagefind indexes a bounded number of pages at a time); the
    // parts of this page's language are searched together with the first.
    const listed = await fetch(new URL("parts.json", bundle));
    if (!listed.ok) {
      throw new Error(`parts.json: ${listed.status}`);
    }
    const parts = (await listed.json())[document.documentElement.lang.toLowerCase()] || [];
    await Promise.all(parts.map((part) => pagefind.mergeIndex(new URL(part, bundle).href, OPTIONS)));
  } catch (error) {
    noScript.hidden = true;
    failed.hidden = false;
    console.error("search:", error);
    return;
  }
  noScript.hidden = true;
  filterBox.hidden = false;

  let latest = 0;
  async function run() {
    const query = input.value.trim();
    const filters = chosenFilters();
    rememberQuery(query, filters);
    const ticket = ++latest;
    if (!query && Object.keys(filters).length === 0) {
      results.replaceChildren();
      status.textContent = "";
      return;
    }
    status.textContent = message("searching", {});
    const search = await pagefind.search(query || null, { filters });
    if (ticket !== latest) {
      return; // a newer search has started; its results will be shown instead
    }
    const shown = await Promise.all(search.results.slice(0, MAX_RESULTS).map((result) => result.data()));
    if (ticket !== latest) {
      return;
    }
    results.replaceChildren(...shown.map(resultItem));
    const described = query || Object.values(filters).join(", ");
    const count = search.results.length;
    const key = count === 0 ? "none" : count === 1 ? "one" : "many";
    status.textContent = message(key, { query: described, count });
  }

  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  for (const select of selects) {
    select.addEventListener("change", run);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });

  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  for (const select of selects) {
    const wanted = params.get(select.dataset.filter);
    if (wanted && Array.from(select.options).some((option) => option.value === wanted)) {
      select.value = wanted;
    }
  }
  if (input.value || Object.keys(chosenFilters()).length) {
    run();
  }
}

start();
