/* 本文の書式: turns a RichTextarea (kernel/ui/widgets.py) into a small rich-text editor. The toolbar and the editable
   region come from the widget's <template> (labels translated by the server); the textarea stays in the form, hidden,
   and takes the region's HTML on every input and on submit. The server's sanitiser is the trust boundary: the
   cleaning here only keeps the editor tidy (no pasted styles, <strong> for <b>, nothing that runs or loads). */
(function () {
  "use strict";

  const KEEP = new Set(["P", "BR", "STRONG", "EM", "U", "UL", "OL", "LI", "H2", "H3", "H4", "BLOCKQUOTE", "TABLE",
    "THEAD", "TBODY", "TR", "TH", "TD", "HR", "A"]);
  const DROP = new Set(["SCRIPT", "STYLE", "TEMPLATE", "IFRAME", "OBJECT", "EMBED", "SVG", "MATH", "NOSCRIPT",
    "TEXTAREA", "SELECT", "TITLE"]);
  const RENAME = { B: "STRONG", I: "EM", DIV: "P" };
  const BLOCKS = "p,div,ul,ol,table,h2,h3,h4,blockquote,hr";
  const SAFE_URL = /^(https?:\/\/|mailto:)\S+$/i;

  const escaped = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  // As the service does (approvals/services/drafts.py sanitise): one paragraph per blank-line block.
  const fromText = (text) => text.replace(/\r\n/g, "\n").split(/\n\s*\n/).map((block) => block.trim())
    .filter(Boolean).map((block) => "<p>" + escaped(block).replace(/\n/g, "<br>") + "</p>").join("");

  // A fresh copy of `source`'s children with allowed elements and attributes only.
  function cleaned(source) {
    const out = document.createDocumentFragment();
    source.childNodes.forEach((node) => {
      if (node.nodeType === Node.TEXT_NODE) { out.appendChild(document.createTextNode(node.data)); }
      const tag = node.nodeType === Node.ELEMENT_NODE ? node.nodeName.toUpperCase() : "";
      if (!tag || DROP.has(tag)) { return; }
      const name = (tag === "DIV" || tag === "P") && node.querySelector(BLOCKS) ? "" : RENAME[tag] || tag;
      if (!KEEP.has(name)) { // unknown or <p><ul>…</ul></p> (Chromium's lists): keep the content only
        return out.appendChild(cleaned(node));
      }
      const copy = out.appendChild(document.createElement(name));
      const allowed = { A: ["href"], TD: ["colspan", "rowspan"], TH: ["colspan", "rowspan"] }[name] || [];
      allowed.filter((key) => (key === "href" ? SAFE_URL : /^\d{1,3}$/).test(node.getAttribute(key) || ""))
        .forEach((key) => copy.setAttribute(key, node.getAttribute(key)));
      copy.appendChild(cleaned(node));
    });
    return out;
  }
  function parsed(html) {
    const inert = document.createElement("template"); // parsed without running or loading anything
    inert.innerHTML = /<[a-zA-Z/]/.test(html) ? html : fromText(html);
    return cleaned(inert.content);
  }
  function serialised(editor) {
    const box = document.createElement("div");
    box.appendChild(cleaned(editor));
    return box.textContent.trim() || box.querySelector("table,hr") ? box.innerHTML : "";
  }
  function caretIn(node, atEnd) {
    const range = document.createRange();
    range.selectNodeContents(node);
    range.collapse(!atEnd);
    document.getSelection().removeAllRanges();
    document.getSelection().addRange(range);
    return range;
  }
  function enhance(root) {
    const area = root.querySelector("textarea");
    const template = root.querySelector("template[data-richtext-template]");
    if (!area || !template || root.dataset.richtextReady) { return; }
    root.dataset.richtextReady = "1";
    const heading = area.dataset.richtext || "h2";
    root.insertBefore(template.content.cloneNode(true), area);
    const toolbar = root.querySelector("[role=toolbar]");
    const buttons = Array.from(toolbar.querySelectorAll("button"));
    const editor = root.querySelector(".richtext__editor");
    const linkBox = root.querySelector(".richtext__link");
    const url = root.querySelector("[data-link-url]");
    const label = document.querySelector("label[for='" + area.id + "']") || document.createElement("label");
    label.id = label.id || area.id + "_label"; // the field template's <label for>, named by the editor
    [label, ...document.querySelectorAll("a[href='#" + area.id + "']")].forEach((target) => // and the error summary
      target.addEventListener("click", (event) => event.preventDefault() || editor.focus()));
    editor.appendChild(parsed(area.value));
    editor.innerHTML = editor.firstChild ? editor.innerHTML : "<p><br></p>"; // typing starts in a paragraph
    area.hidden = true;
    document.execCommand("defaultParagraphSeparator", false, "p");

    let saved = null;
    const sync = () => { area.value = serialised(editor); };
    const within = (selector) => { // the element around the caret that matches, inside the editor
      const node = document.getSelection().anchorNode;
      const found = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement).closest(selector);
      return found && editor.contains(found) ? found : null;
    };
    const states = {
      heading: () => within(heading), bold: () => document.queryCommandState("bold") && !within(heading),
      insertUnorderedList: () => within("ul"), insertOrderedList: () => within("ol"),
    };
    const refresh = () => buttons.filter((b) => states[b.dataset.command])
      .forEach((b) => b.setAttribute("aria-pressed", String(Boolean(states[b.dataset.command]()))));
    const keep = () => { // where the caret was, for the toolbar (blur too: selectionchange may come later)
      const selection = document.getSelection();
      if (selection.rangeCount && editor.contains(selection.anchorNode)) {
        saved = selection.getRangeAt(0).cloneRange();
        refresh();
      }
    };
    function restore() {
      editor.focus();
      saved = saved || caretIn(editor, true);
      document.getSelection().removeAllRanges();
      document.getSelection().addRange(saved);
    }
    function insertTable() { // built here: insertHTML scatters a table's parts in Chromium
      const row = (cell) => "<tr>" + ("<" + cell + "><br></" + cell + ">").repeat(3) + "</tr>";
      const table = document.createElement("table");
      table.innerHTML = "<thead>" + row("th") + "</thead><tbody>" + row("td").repeat(2) + "</tbody>";
      let block = saved.startContainer === editor ? editor.childNodes[saved.startOffset - 1] : saved.startContainer;
      while (block && block.parentNode !== editor) { block = block.parentNode; }
      const empty = block && !block.textContent.trim() && !(block.querySelector && block.querySelector("table,hr"));
      editor.insertBefore(table, block ? block.nextSibling : editor.firstChild);
      if (empty) {
        table.after(block); // the empty line goes below the table, to write on after it
      } else if (!table.nextElementSibling) {
        table.after(document.createElement("p"));
        table.nextElementSibling.appendChild(document.createElement("br"));
      }
      caretIn(table.querySelector("th"));
    }
    function showLink(open) {
      linkBox.hidden = !open;
      toolbar.querySelector("[data-command=link]").setAttribute("aria-expanded", String(open));
      url.removeAttribute("aria-invalid");
      url.value = "";
      return open ? url.focus() : restore();
    }
    function applyLink() {
      const href = url.value.trim();
      if (!SAFE_URL.test(href)) {
        return url.setAttribute("aria-invalid", "true") || url.focus();
      }
      showLink(false);
      if (document.getSelection().isCollapsed) { // the address as the text (insertHTML would add inline styles)
        const link = document.createElement("a");
        link.href = href;
        link.textContent = href;
        saved.insertNode(link);
        saved.setStartAfter(link);
        restore();
      } else {
        document.execCommand("createLink", false, href);
      }
      sync();
    }
    function run(command) {
      if (command === "link") {
        return showLink(linkBox.hidden);
      }
      restore();
      const level = within(heading) ? "<p>" : "<" + heading + ">";
      const done = command === "table" ? insertTable() : command === "heading"
        ? document.execCommand("formatBlock", false, level) : document.execCommand(command, false, null);
      return sync() || refresh() || done;
    }
    function move(event) { // Tab and Shift+Tab go from cell to cell in a table, then out of it
      const cell = event.key === "Tab" && !event.altKey && !event.ctrlKey && within("td,th");
      const cells = cell ? Array.from(cell.closest("table").querySelectorAll("th,td")) : [];
      const target = cells[cells.indexOf(cell) + (event.shiftKey ? -1 : 1)];
      return target && (event.preventDefault() || caretIn(target));
    }
    function insertText(event, data) { // text only: never the styles or markup of another page or program
      event.preventDefault();
      document.execCommand("insertText", false, data.getData("text/plain"));
    }

    document.addEventListener("selectionchange", keep);
    editor.addEventListener("blur", keep);
    editor.addEventListener("keydown", move);
    editor.addEventListener("paste", (event) => insertText(event, event.clipboardData));
    editor.addEventListener("drop", (event) => insertText(event, event.dataTransfer)); // at the caret
    editor.addEventListener("input", sync);
    (area.form || root).addEventListener("submit", sync);
    buttons.forEach((button, i) => { button.tabIndex = i ? -1 : 0; });
    toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keeps the selection in the text
    toolbar.addEventListener("click", (event) => event.target.closest("button") &&
      run(event.target.closest("button").dataset.command));
    toolbar.addEventListener("keydown", (event) => { // one Tab stop; the arrows move along the toolbar
      const i = buttons.indexOf(document.activeElement);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: buttons.length - 1 }[event.key];
      const target = i >= 0 && next !== undefined && buttons[(next + buttons.length) % buttons.length];
      if (target) {
        event.preventDefault();
        buttons.forEach((button) => { button.tabIndex = button === target ? 0 : -1; });
        target.focus();
      }
    });
    root.querySelector("[data-link-apply]").addEventListener("click", applyLink);
    root.querySelector("[data-link-cancel]").addEventListener("click", () => showLink(false));
    url.addEventListener("keydown", (event) => { // Enter would send the whole form
      const act = { Enter: applyLink, Escape: () => showLink(false) }[event.key];
      return act && (event.preventDefault() || act());
    });
  }

  document.querySelectorAll("[data-richtext-for]").forEach(enhance);
}());
