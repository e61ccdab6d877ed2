// The /search/ page: queries the static index the build writes under search/ (format: generator/search.py),
// with no server code. ?q= (the header form on every page) starts a search; typing searches as you type.
// Everything from the index is text: the DOM is built with textContent, never innerHTML (CSP: script-src 'self').
"use strict";
(function () {
  const PAGE_SIZE = 20; // results shown, then "Show more"
  const FACET_TOP = 10; // terms shown per taxonomy before "Show all"
  const DEBOUNCE_MS = 150;
  const MAX_TERM = 40; // generator/words.py drops longer tokens
  const WIDE = "(min-width: 56rem)"; // the filters sit beside the results and start open
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];

  // --- the texts: the page's language from search.html's data block (render/search_strings.py), else English

  const ENGLISH = {
    label: "Search briefings",
    button: "Search",
    hint: "Every word must match; the start of a word is enough (“sanct” finds sanctions).",
    filters: "Filter results",
    clear: "Clear filters",
    selected: "%(count)s selected",
    more: "Show more",
    moreCount: "Show %(count)s more",
    all: "Show all %(count)s",
    fewer: "Show fewer",
    showing: "showing %(count)s",
    noFacets: "Nothing to filter by in these results.",
    unavailable: "Search is unavailable: %(reason)s. Check your connection and try again.",
    reasonNetwork: "the network is unreachable",
    reasonServer: "the server answered %(status)s for %(url)s",
    reasonDamaged: "a file of the index is damaged (%(url)s)",
    reasonFormat: "this site's search index has a format this page cannot read",
    reasonOther: "something went wrong",
    empty: "There are no briefings to search yet.",
    none: "No briefings.",
    noneQuery: "No briefings for “%(query)s”.",
    noneFiltered: "No briefings, filtered by %(names)s.",
    noneQueryFiltered: "No briefings for “%(query)s”, filtered by %(names)s.",
    adviceFiltered: "Try clearing the filters, fewer words, or the start of a word.",
    advice: "Check the spelling, try fewer words, or the start of a word.",
  };
  const ENGLISH_PLURALS = {
    prompt: { one: "Type a word to search %(count)s briefing, or pick a country or topic.",
      other: "Type a word to search %(count)s briefings, or pick a country or topic." },
    found: { one: "%(count)s briefing", other: "%(count)s briefings" },
    foundQuery: { one: "%(count)s briefing for “%(query)s”", other: "%(count)s briefings for “%(query)s”" },
    foundFiltered: { one: "%(count)s briefing filtered by %(names)s", other: "%(count)s briefings filtered by %(names)s" },
    foundQueryFiltered: { one: "%(count)s briefing for “%(query)s”, filtered by %(names)s",
      other: "%(count)s briefings for “%(query)s”, filtered by %(names)s" },
  };

  function pageTexts() {
    const block = document.getElementById("search-strings");
    let given = {};
    if (block) {
      try {
        given = JSON.parse(block.textContent) || {};
      } catch (e) {
        given = {};
      }
    }
    const lang = given.lang || document.documentElement.lang || "en";
    const english = /^en\b/i.test(lang);
    let plurals = null;
    let numbers = null;
    let dates = null;
    try {
      plurals = new Intl.PluralRules(lang);
      numbers = new Intl.NumberFormat(lang);
      if (!english) dates = new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    } catch (e) {
      plurals = numbers = dates = null;
    }
    return {
      lang,
      strings: Object.assign({}, ENGLISH, given.strings || {}),
      forms: Object.assign({}, ENGLISH_PLURALS, given.plurals || {}),
      taxonomies: given.taxonomies || {},
      plurals,
      numbers,
      dates,
    };
  }

  const TEXTS = pageTexts();

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  // A text of the page with its %(name)s filled in.
  function t(key, values) {
    return fill(TEXTS.strings[key], values || {});
  }

  function number(n) {
    return TEXTS.numbers ? TEXTS.numbers.format(n) : n.toLocaleString("en");
  }

  // The plural text for `n` (its %(count)s: n as the language writes it).
  function tn(key, n, values) {
    const forms = TEXTS.forms[key];
    const category = TEXTS.plurals ? TEXTS.plurals.select(n) : (n === 1 ? "one" : "other");
    const form = forms[category] || forms.other || forms.one;
    return fill(form, Object.assign({ count: number(n) }, values || {}));
  }

  // --- the tokenizer: must agree with generator/words.py ---------------------------------------------

  function fold(text) {
    return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  }

  function tokenize(text) {
    const found = fold(text).match(/[\p{L}\p{N}]+/gu) || [];
    return found.filter((t) => Array.from(t).length <= MAX_TERM);
  }

  function shardName(token, prefix) {
    const head = Array.from(token).slice(0, prefix).join("");
    if (/^[a-z0-9]+$/.test(head)) return head;
    return "_" + Array.from(new TextEncoder().encode(head), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function undelta(ids) {
    const out = new Array(ids.length);
    let last = 0;
    for (let k = 0; k < ids.length; k++) out[k] = last += ids[k];
    return out;
  }

  // --- the index: files fetched once each, with the build's stamp -------------------------------------

  class LoadError extends Error {}  // its message: a page text (the reason search is unavailable)

  class Index {
    constructor(url) {
      this.url = url;
      this.folder = url.slice(0, url.lastIndexOf("/") + 1);
      this.files = new Map(); // path -> Promise of parsed JSON
      this.meta = null;
      this.facets = null; // [{name, label, terms: [{name, slug, ids}]}] once filters.json is in
      this.names = new Map(); // taxonomy -> Map of a term's name in docs/ -> its name in the page's language
    }

    async load() {
      this.meta = await fetchJSON(this.url, { cache: "no-cache" }, false);
      if (!this.meta || this.meta.version !== 2) throw new LoadError(t("reasonFormat"));
    }

    file(path, missingIsEmpty) {
      if (!this.files.has(path)) {
        const promise = fetchJSON(this.folder + path + "?v=" + encodeURIComponent(this.meta.stamp), {}, missingIsEmpty);
        promise.catch(() => this.files.delete(path)); // a network error is retried by the next search
        this.files.set(path, promise);
      }
      return this.files.get(path);
    }

    async loadFacets() {
      if (this.facets) return this.facets;
      const data = await this.file("filters.json", false);
      this.facets = this.meta.taxonomies.map((t) => ({
        name: t.name,
        label: TEXTS.taxonomies[t.name] || t.label,
        terms: (data[t.name] || []).map(([name, slug, ids]) => ({ name, slug, ids: undelta(ids) })),
      }));
      // A language's filters give a term's name in that language, and the name the docs/ files carry.
      this.names = new Map();
      for (const t of this.meta.taxonomies) {
        const names = new Map();
        for (const [name, , , source] of data[t.name] || []) if (source) names.set(source, name);
        this.names.set(t.name, names);
      }
      return this.facets;
    }

    // {doc id: score} of the docs with a term equal to the token (or, from 3 letters on, starting with it).
    async scores(token) {
      const length = Array.from(token).length;
      const name = shardName(token, this.meta.prefix);
      // An index that lists its shards spares the browser a 404 (and its console line) for a missing one.
      if (Array.isArray(this.meta.shards) && !this.meta.shards.includes(name)) return new Map();
      const shard = await this.file("terms/" + name + ".json", true);
      const count = this.meta.count;
      const scores = new Map();
      for (const term of Object.keys(shard)) {
        let weight;
        if (term === token) weight = 1;
        else if (length >= this.meta.prefix && term.startsWith(token)) weight = 0.7;
        else continue;
        const flat = shard[term];
        const df = flat.length / 2;
        const idf = Math.log(1 + (count - df + 0.5) / (df + 0.5));
        let id = 0;
        for (let k = 0; k < flat.length; k += 2) {
          id += flat[k];
          const tf = flat[k + 1];
          const score = (weight * idf * tf * 2.2) / (tf + 1.2);
          if (!(scores.get(id) >= score)) scores.set(id, score);
        }
      }
      return scores;
    }

    async docs(ids) {
      const chunk = this.meta.chunk;
      const numbers = Array.from(new Set(ids.map((id) => Math.floor(id / chunk))));
      const chunks = new Map();
      await Promise.all(numbers.map(async (n) => chunks.set(n, await this.file("docs/" + n + ".json", false))));
      return ids.map((id) => {
        const entry = chunks.get(Math.floor(id / chunk))[id % chunk];
        const [url, title, date, summary, terms] = entry;
        return { id, url, title, date, summary, terms: terms || {} };
      });
    }
  }

  async function fetchJSON(url, options, missingIsEmpty) {
    let response;
    try {
      response = await fetch(url, options);
    } catch (e) {
      throw new LoadError(t("reasonNetwork"));
    }
    if (response.status === 404 && missingIsEmpty) return {};
    if (!response.ok) throw new LoadError(t("reasonServer", { status: response.status, url: url.split("?")[0] }));
    try {
      return await response.json();
    } catch (e) {
      throw new LoadError(t("reasonDamaged", { url: url.split("?")[0] }));
    }
  }

  // --- DOM helpers --------------------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (value === true) node.setAttribute(key, "");
      else if (value !== false && value != null) node.setAttribute(key, value);
    }
    for (const child of children) if (child != null) node.append(child);
    return node;
  }

  function formatDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    if (!m) return iso || "";
    if (TEXTS.dates) return TEXTS.dates.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
    return Number(m[3]) + " " + MONTHS[Number(m[2]) - 1] + " " + m[1];
  }

  // Text with the words a query token matches (equal, or starting with it from 3 letters on) wrapped in <mark>.
  function highlight(text, tokens, prefix) {
    const out = document.createDocumentFragment();
    if (!text) return out;
    const words = /[\p{L}\p{N}\p{M}]+/gu;
    let last = 0;
    let m;
    while ((m = words.exec(text))) {
      const hit = tokenize(m[0]).some((word) => tokens.some((t) => word === t || (Array.from(t).length >= prefix && word.startsWith(t))));
      if (!hit) continue;
      if (m.index > last) out.append(text.slice(last, m.index));
      out.append(el("mark", { text: m[0] }));
      last = m.index + m[0].length;
    }
    if (last < text.length) out.append(text.slice(last));
    return out;
  }

  // --- the page -----------------------------------------------------------------------------------------

  class SearchPage {
    constructor(box) {
      this.box = box;
      this.base = box.dataset.base || "/";
      this.index = new Index(box.dataset.index);
      this.checked = new Map(); // taxonomy -> Set of term slugs
      this.expanded = new Set(); // taxonomies showing all their terms
      this.facetRows = new Map(); // "taxonomy\0slug" -> {row, box, count}
      this.results = []; // ids, best first
      this.shown = 0;
      this.seq = 0;
      this.timer = 0;
      this.tokens = [];
      this.build();
    }

    build() {
      const params = new URLSearchParams(window.location.search);
      this.input = el("input", { id: "search-q", type: "search", name: "q", autocomplete: "off", spellcheck: "false",
        enterkeyhint: "search", "aria-describedby": "search-hint", "aria-controls": "search-results" });
      this.input.value = params.get("q") || "";
      this.form = el("form", { class: "search-form", action: "", method: "get" },
        el("label", { for: "search-q", class: "search-label", text: t("label") }),
        el("div", { class: "search-box" }, this.input, el("button", { type: "submit", text: t("button") })),
        el("p", { id: "search-hint", class: "search-hint",
          text: t("hint") }));
      this.status = el("p", { class: "search-status", role: "status", "aria-live": "polite", "aria-atomic": "true" });
      this.list = el("ol", { id: "search-results", class: "search-results" });
      this.advice = el("p", { class: "search-advice", hidden: true });
      this.more = el("button", { type: "button", class: "search-more", hidden: true, text: t("more") });
      this.filterBody = el("div", { class: "search-facets" });
      this.noFacets = el("p", { class: "search-facets-empty", hidden: true, text: t("noFacets") });
      this.filterCount = el("span", { class: "search-filter-count" });
      this.clear = el("button", { type: "button", class: "search-clear", hidden: true, text: t("clear") });
      this.panel = el("details", { class: "search-filters" },
        el("summary", {}, el("span", { text: t("filters") }), this.filterCount),
        this.noFacets, this.filterBody, this.clear);
      this.panel.open = window.matchMedia ? window.matchMedia(WIDE).matches : true;
      const main = el("div", { class: "search-main" }, this.status, this.list, this.advice, this.more);
      this.box.replaceChildren(this.form, el("div", { class: "search-layout" }, this.panel, main));

      this.pendingChecks = params; // filters from the URL, applied once filters.json is in
      this.input.addEventListener("input", () => this.schedule());
      this.form.addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
      this.more.addEventListener("click", () => this.showMore());
      this.clear.addEventListener("click", () => { this.checked.clear(); this.run(); });
      this.panel.addEventListener("toggle", () => { if (this.panel.open && !this.index.facets) this.run(); });
      this.start();
    }

    async start() {
      try {
        await this.index.load();
      } catch (e) {
        this.fail(e);
        return;
      }
      const names = this.index.meta.taxonomies.map((t) => t.name);
      if (!names.some((name) => this.pendingChecks.has(name))) this.pendingChecks = null;
      if (!this.input.value) this.input.focus();
      this.run();
    }

    schedule() {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.run(), DEBOUNCE_MS);
    }

    fail(error) {
      const why = error instanceof LoadError ? error.message : t("reasonOther");
      this.status.textContent = t("unavailable", { reason: why });
      this.status.classList.add("search-error");
    }

    anyChecked() {
      for (const slugs of this.checked.values()) if (slugs.size) return true;
      return false;
    }

    // Runs the current query and filters; a newer run makes an older one drop its results.
    async run() {
      window.clearTimeout(this.timer);
      if (!this.index.meta) return;
      const seq = ++this.seq;
      const query = this.input.value.trim();
      const tokens = Array.from(new Set(tokenize(query)));
      try {
        const wantFacets = tokens.length || this.anyChecked() || this.panel.open || this.pendingChecks;
        const [facets, matches] = await Promise.all([
          wantFacets ? this.index.loadFacets() : null,
          tokens.length ? Promise.all(tokens.map((t) => this.index.scores(t))) : null,
        ]);
        if (seq !== this.seq) return;
        if (facets && this.pendingChecks) this.applyUrlChecks(facets);
        const count = this.index.meta.count;
        // Docs matching every token, with their summed score (null: no query, every doc).
        let scores = null;
        if (matches) {
          matches.sort((a, b) => a.size - b.size);
          scores = new Map();
          for (const [id, s] of matches[0]) {
            let total = s;
            for (let k = 1; k < matches.length && total !== null; k++) {
              const other = matches[k].get(id);
              total = other === undefined ? null : total + other;
            }
            if (total !== null) scores.set(id, total);
          }
        }
        const queryMask = new Uint8Array(count);
        if (scores) for (const id of scores.keys()) queryMask[id] = 1;
        else queryMask.fill(1);
        const filterMasks = new Map();
        if (facets) {
          for (const facet of facets) {
            const slugs = this.checked.get(facet.name);
            if (!slugs || !slugs.size) continue;
            const mask = new Uint8Array(count);
            for (const term of facet.terms) if (slugs.has(term.slug)) for (const id of term.ids) mask[id] = 1;
            filterMasks.set(facet.name, mask);
          }
        }
        const filtered = tokens.length || filterMasks.size;
        const ids = [];
        if (filtered) {
          // ids are given oldest first (a new briefing takes the next one): the newest is shown first
          for (let id = count - 1; id >= 0; id--) {
            if (!queryMask[id]) continue;
            let keep = true;
            for (const mask of filterMasks.values()) if (!mask[id]) { keep = false; break; }
            if (keep) ids.push(id);
          }
          if (scores) ids.sort((a, b) => scores.get(b) - scores.get(a) || b - a);
        }
        if (facets) this.renderFacets(facets, queryMask, filterMasks);
        this.tokens = tokens;
        this.results = ids;
        this.shown = 0;
        this.keepUrl(query);
        if (!(await this.page(seq, false))) return;
        this.announce(query, tokens.length > 0, filtered);
      } catch (e) {
        if (seq === this.seq) this.fail(e);
      }
    }

    applyUrlChecks(facets) {
      for (const facet of facets) {
        const wanted = new Set(this.pendingChecks.getAll(facet.name));
        const slugs = new Set(facet.terms.filter((t) => wanted.has(t.slug)).map((t) => t.slug));
        if (slugs.size) this.checked.set(facet.name, slugs);
      }
      this.pendingChecks = null;
    }

    keepUrl(query) {
      const params = new URLSearchParams();
      if (query) params.set("q", query);
      for (const [name, slugs] of this.checked) for (const slug of slugs) params.append(name, slug);
      const search = params.toString();
      const url = window.location.pathname + (search ? "?" + search : "") + window.location.hash;
      if (url !== window.location.pathname + window.location.search + window.location.hash) {
        window.history.replaceState(window.history.state, "", url);
      }
    }

    checkedNames() {
      const names = [];
      for (const facet of this.index.facets || []) {
        const slugs = this.checked.get(facet.name);
        if (slugs) for (const term of facet.terms) if (slugs.has(term.slug)) names.push(term.name);
      }
      return names;
    }

    announce(query, hasQuery, filtered) {
      this.status.classList.remove("search-error");
      const n = this.results.length;
      const names = this.checkedNames();
      const values = { query, names: names.join(", ") };
      const kind = (hasQuery ? "Query" : "") + (names.length ? "Filtered" : "");
      this.advice.hidden = true;
      if (!filtered) {
        const total = this.index.meta.count;
        this.status.textContent = total ? tn("prompt", total) : t("empty");
        return;
      }
      if (n === 0) {
        this.status.textContent = t("none" + kind, values);
        this.advice.textContent = names.length ? t("adviceFiltered") : t("advice");
        this.advice.hidden = false;
        return;
      }
      this.statusText = tn("found" + kind, n, values);
      this.status.textContent = this.statusText;
    }

    // Shows the next page of results (the first replaces the list); false if a newer search took over.
    async page(seq, append) {
      const next = this.results.slice(this.shown, this.shown + PAGE_SIZE);
      const docs = await this.index.docs(next);
      if (seq !== this.seq) return false;
      const items = docs.map((doc) => this.result(doc));
      if (append) this.list.append(...items);
      else this.list.replaceChildren(...items);
      this.shown += next.length;
      const left = this.results.length - this.shown;
      this.more.hidden = left <= 0;
      this.more.textContent = t("moreCount", { count: number(Math.min(left, PAGE_SIZE)) });
      if (append && items.length) items[0].querySelector("a").focus();
      return true;
    }

    // "Show more": the next 20, focus on the first of them so a keyboard user reads on from there.
    async showMore() {
      if (this.busy) return;
      this.busy = true;
      const seq = this.seq;
      try {
        if (await this.page(seq, true)) {
          this.status.textContent = this.statusText + " · " + t("showing", { count: number(this.shown) });
        }
      } catch (e) {
        if (seq === this.seq) this.fail(e);
      } finally {
        this.busy = false;
      }
    }

    result(doc) {
      const prefix = this.index.meta.prefix;
      const meta = el("p", { class: "search-result-meta" });
      const topics = this.localNames("topics", doc.terms.topics || []);
      if (topics.length) meta.append(el("span", { class: "search-result-kicker", text: topics[0] }), " ");
      meta.append(el("time", { datetime: doc.date, text: formatDate(doc.date) }));
      const places = this.localNames("countries", (doc.terms.countries || []).slice(0, 3));
      if (places.length) meta.append(" · " + places.join(", "));
      const link = el("a", { class: "search-result-link", href: this.base + doc.url });
      link.append(highlight(doc.title, this.tokens, prefix));
      const item = el("li", { class: "search-result" }, el("h2", { class: "search-result-title" }, link), meta);
      if (doc.summary) item.append(el("p", { class: "search-result-summary" }, highlight(doc.summary, this.tokens, prefix)));
      return item;
    }

    // Terms of a doc (as docs/ files name them) as the page's language names them.
    localNames(taxonomy, names) {
      const local = this.index.names.get(taxonomy);
      return local && local.size ? names.map((name) => local.get(name) || name) : names;
    }

    // One fieldset per taxonomy; counts are among the docs the query and the OTHER taxonomies' filters leave.
    renderFacets(facets, queryMask, filterMasks) {
      this.lastFacets = [facets, queryMask, filterMasks];
      const focused = document.activeElement;
      let selected = 0;
      let offered = 0;
      for (const facet of facets) {
        let base = queryMask;
        for (const [name, mask] of filterMasks) {
          if (name === facet.name) continue;
          if (base === queryMask) base = queryMask.slice();
          for (let id = 0; id < base.length; id++) if (!mask[id]) base[id] = 0;
        }
        const slugs = this.checked.get(facet.name) || new Set();
        selected += slugs.size;
        const rows = [];
        for (const term of facet.terms) {
          let n = 0;
          for (const id of term.ids) n += base[id];
          if (n || slugs.has(term.slug)) rows.push({ term, n, on: slugs.has(term.slug) });
        }
        rows.sort((a, b) => b.n - a.n || a.term.name.localeCompare(b.term.name, TEXTS.lang));
        this.renderFacet(facet, rows);
        offered += rows.length;
      }
      this.noFacets.hidden = offered > 0;
      this.filterCount.textContent = selected ? " · " + t("selected", { count: number(selected) }) : "";
      this.clear.hidden = !selected;
      if (focused && focused !== document.activeElement && focused.isConnected) focused.focus();
    }

    renderFacet(facet, rows) {
      let set = this.filterBody.querySelector("fieldset[data-taxonomy='" + CSS.escape(facet.name) + "']");
      if (!set) {
        const list = el("ul", { class: "search-facet-terms" });
        const toggle = el("button", { type: "button", class: "search-facet-more", "aria-expanded": "false" });
        toggle.addEventListener("click", () => {
          if (this.expanded.has(facet.name)) this.expanded.delete(facet.name);
          else this.expanded.add(facet.name);
          if (this.lastFacets) this.renderFacets(...this.lastFacets);
        });
        set = el("fieldset", { class: "search-facet", "data-taxonomy": facet.name }, el("legend", { text: facet.label }), list, toggle);
        this.filterBody.append(set);
      }
      set.hidden = rows.length === 0;
      const expanded = this.expanded.has(facet.name);
      // The most frequent terms, and every checked one even if it ranks lower.
      const visible = expanded ? rows : rows.filter((r, i) => i < FACET_TOP || r.on);
      const list = set.querySelector("ul");
      const wanted = visible.map((r) => this.facetRow(facet, r));
      const current = Array.from(list.children);
      if (wanted.length !== current.length || wanted.some((row, i) => row !== current[i])) list.replaceChildren(...wanted);
      const toggle = set.querySelector(".search-facet-more");
      toggle.hidden = rows.length <= FACET_TOP;
      toggle.setAttribute("aria-expanded", expanded ? "true" : "false");
      toggle.textContent = expanded ? t("fewer") : t("all", { count: number(rows.length) });
    }

    facetRow(facet, { term, n, on }) {
      const key = facet.name + "\0" + term.slug;
      let row = this.facetRows.get(key);
      if (!row) {
        const box = el("input", { type: "checkbox", name: facet.name, value: term.slug });
        const count = el("span", { class: "search-facet-count" });
        box.addEventListener("change", () => {
          const slugs = this.checked.get(facet.name) || new Set();
          if (box.checked) slugs.add(term.slug);
          else slugs.delete(term.slug);
          this.checked.set(facet.name, slugs);
          this.run();
        });
        const li = el("li", {}, el("label", {}, box, el("span", { class: "search-facet-name", text: term.name }), count));
        row = { li, box, count };
        this.facetRows.set(key, row);
      }
      row.box.checked = on;
      row.count.textContent = number(n);
      return row.li;
    }
  }

  function init() {
    const box = document.getElementById("search");
    if (box && box.dataset.index) new SearchPage(box);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
