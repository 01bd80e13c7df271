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
  const RENAME = { B: "STRONG", I: "EM" };
  const BLOCKS = "p,div,ul,ol,table,h2,h3,h4,blockquote,hr";
  const SAFE_URL = /^(https?:\/\/|mailto:)\S+$/i;
  const HAS_TAG = /<[a-zA-Z/]/;

  function escaped(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // As the service does (approvals/services/drafts.py sanitise): one paragraph per blank-line block.
  function fromText(text) {
    return text.replace(/\r\n/g, "\n").split(/\n\s*\n/).map((block) => block.trim()).filter(Boolean)
      .map((block) => "<p>" + escaped(block).replace(/\n/g, "<br>") + "</p>").join("");
  }

  // A fresh copy of `source`'s children with allowed elements and attributes only.
  function cleaned(source) {
    const out = document.createDocumentFragment();
    source.childNodes.forEach((node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        out.appendChild(document.createTextNode(node.data));
        return;
      }
      const tag = node.nodeType === Node.ELEMENT_NODE ? node.nodeName.toUpperCase() : "";
      if (!tag || DROP.has(tag)) {
        return;
      }
      const block = (tag === "DIV" || tag === "P") && node.querySelector(BLOCKS); // <p><ul>: Chromium's lists
      const name = block ? "" : (tag === "DIV" ? "P" : (RENAME[tag] || tag));
      if (!KEEP.has(name)) {
        out.appendChild(cleaned(node));
        return;
      }
      const copy = document.createElement(name);
      const href = node.getAttribute("href") || "";
      if (name === "A" && SAFE_URL.test(href)) {
        copy.setAttribute("href", href);
      }
      ["colspan", "rowspan"].forEach((attribute) => {
        if ((name === "TD" || name === "TH") && /^\d{1,3}$/.test(node.getAttribute(attribute) || "")) {
          copy.setAttribute(attribute, node.getAttribute(attribute));
        }
      });
      copy.appendChild(cleaned(node));
      out.appendChild(copy);
    });
    return out;
  }

  function parsed(html) {
    const inert = document.createElement("template"); // parsed without running or loading anything
    inert.innerHTML = html;
    return cleaned(inert.content);
  }

  function serialised(editor) {
    const box = document.createElement("div");
    box.appendChild(cleaned(editor));
    return box.textContent.trim() || box.querySelector("table,hr") ? box.innerHTML : "";
  }

  function enhance(root) {
    const area = root.querySelector("textarea");
    const template = root.querySelector("template[data-richtext-template]");
    if (!area || !template || root.dataset.richtextReady) {
      return;
    }
    root.dataset.richtextReady = "1";
    const heading = "<" + (area.dataset.richtext || "h2") + ">";
    root.insertBefore(template.content.cloneNode(true), area);
    const toolbar = root.querySelector("[role=toolbar]");
    const buttons = Array.from(toolbar.querySelectorAll("button"));
    const editor = root.querySelector(".richtext__editor");
    const linkBox = root.querySelector(".richtext__link");
    const url = root.querySelector("[data-link-url]");
    const linkButton = toolbar.querySelector("[data-command=link]");
    const label = document.querySelector("label[for='" + area.id + "']");
    if (label) {
      label.id = label.id || area.id + "_label";
      label.addEventListener("click", () => editor.focus());
    }
    document.querySelectorAll("a[href='#" + area.id + "']").forEach((link) => link.addEventListener("click", (event) => {
      event.preventDefault();
      editor.focus();
    }));
    editor.appendChild(parsed(HAS_TAG.test(area.value) ? area.value : fromText(area.value)));
    if (!editor.firstChild) {
      editor.appendChild(document.createElement("p")).appendChild(document.createElement("br"));
    }
    area.hidden = true;
    area.tabIndex = -1;
    document.execCommand("defaultParagraphSeparator", false, "p");

    let saved = null;
    const sync = () => { area.value = serialised(editor); };
    const within = (tag) => {
      const selection = document.getSelection();
      for (let node = selection.anchorNode; node && node !== editor; node = node.parentNode) {
        if (node.nodeName === tag.slice(1, -1).toUpperCase()) {
          return true;
        }
      }
      return false;
    };
    const states = {
      heading: () => within(heading),
      bold: () => document.queryCommandState("bold") && !within(heading),
      insertUnorderedList: () => within("<ul>"),
      insertOrderedList: () => within("<ol>"),
    };
    const refresh = () => buttons.forEach((button) => {
      const state = states[button.dataset.command];
      if (state) {
        button.setAttribute("aria-pressed", String(state()));
      }
    });
    function restore() {
      editor.focus();
      const selection = document.getSelection();
      if (!saved) {
        saved = document.createRange();
        saved.selectNodeContents(editor);
        saved.collapse(false);
      }
      selection.removeAllRanges();
      selection.addRange(saved);
    }
    function caretIn(node) {
      const range = document.createRange();
      range.selectNodeContents(node);
      range.collapse(true);
      document.getSelection().removeAllRanges();
      document.getSelection().addRange(range);
    }
    function insertTable() { // built here: insertHTML scatters a table's parts in Chromium
      const row = (cell) => "<tr>" + ("<" + cell + "><br></" + cell + ">").repeat(3) + "</tr>";
      const table = document.createElement("table");
      table.innerHTML = "<thead>" + row("th") + "</thead><tbody>" + row("td").repeat(2) + "</tbody>";
      let block = saved.startContainer === editor ? editor.childNodes[saved.startOffset - 1] : saved.startContainer;
      while (block && block.parentNode !== editor) {
        block = block.parentNode;
      }
      if (block && !block.textContent.trim() && !(block.querySelector && block.querySelector("table,hr"))) {
        block.replaceWith(table);
      } else {
        editor.insertBefore(table, block ? block.nextSibling : editor.firstChild);
      }
      if (!table.nextElementSibling) {
        table.after(document.createElement("p"));
        table.nextElementSibling.appendChild(document.createElement("br"));
      }
      caretIn(table.querySelector("th"));
    }
    function showLink(open) {
      linkBox.hidden = !open;
      linkButton.setAttribute("aria-expanded", String(open));
      url.removeAttribute("aria-invalid");
      if (open) {
        url.value = "";
        url.focus();
      } else {
        restore();
      }
    }
    function applyLink() {
      const href = url.value.trim();
      if (!SAFE_URL.test(href)) {
        url.setAttribute("aria-invalid", "true");
        url.focus();
        return;
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
        showLink(linkBox.hidden);
        return;
      }
      restore();
      if (command === "heading") {
        document.execCommand("formatBlock", false, within(heading) ? "<p>" : heading);
      } else if (command === "table") {
        insertTable();
      } else {
        document.execCommand(command, false, null);
      }
      sync();
      refresh();
    }

    const keep = () => { // where the caret was, for the toolbar (blur too: selectionchange may come later)
      const selection = document.getSelection();
      if (selection.rangeCount && editor.contains(selection.anchorNode)) {
        saved = selection.getRangeAt(0).cloneRange();
        refresh();
      }
    };
    document.addEventListener("selectionchange", keep);
    editor.addEventListener("blur", keep);
    buttons.forEach((button, i) => { button.tabIndex = i ? -1 : 0; });
    toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keeps the selection in the text
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (button) {
        run(button.dataset.command);
      }
    });
    toolbar.addEventListener("keydown", (event) => { // one Tab stop; arrows move along the toolbar
      const i = buttons.indexOf(document.activeElement);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (i >= 0 && next !== undefined) {
        event.preventDefault();
        buttons.forEach((button) => { button.tabIndex = -1; });
        buttons[(next + buttons.length) % buttons.length].tabIndex = 0;
        buttons[(next + buttons.length) % buttons.length].focus();
      }
    });
    root.querySelector("[data-link-apply]").addEventListener("click", applyLink);
    root.querySelector("[data-link-cancel]").addEventListener("click", () => showLink(false));
    url.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === "Escape") {
        event.preventDefault(); // Enter would submit the whole form
        if (event.key === "Enter") {
          applyLink();
        } else {
          showLink(false);
        }
      }
    });
    editor.addEventListener("keydown", (event) => { // Tab moves between the cells of a table, then out of it
      const cell = event.key === "Tab" && !event.altKey && !event.ctrlKey ? within("<td>") || within("<th>") : false;
      const cells = cell ? Array.from(editor.querySelectorAll("th,td")) : [];
      const here = cells.findIndex((item) => item.contains(document.getSelection().anchorNode));
      const target = cells[here + (event.shiftKey ? -1 : 1)];
      if (here >= 0 && target && target.closest("table") === cells[here].closest("table")) {
        event.preventDefault();
        caretIn(target);
      }
    });
    editor.addEventListener("paste", (event) => { // text only: never the styles of another page or program
      event.preventDefault();
      document.execCommand("insertText", false, event.clipboardData.getData("text/plain"));
    });
    editor.addEventListener("drop", (event) => {
      event.preventDefault();
      const range = document.caretRangeFromPoint && document.caretRangeFromPoint(event.clientX, event.clientY);
      if (range) {
        document.getSelection().removeAllRanges();
        document.getSelection().addRange(range);
      }
      document.execCommand("insertText", false, event.dataTransfer.getData("text/plain"));
    });
    editor.addEventListener("input", sync);
    if (area.form) {
      area.form.addEventListener("submit", sync);
    }
  }

  document.querySelectorAll("[data-richtext-for]").forEach(enhance);
}());
