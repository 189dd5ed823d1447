// puretango web: the single page. Vanilla JS, no build step, no network beyond this server.
// Sections: helpers, API, tree, routing, device view, live updates (WebSocket), plots.
// Rule: updates only touch the DOM when a text changes; canvases are marked dirty and
// drawn at most once per animation frame.
"use strict";

(() => {
  const web = (window.puretangoWeb = { updates: 0, device: null });

  // ------------------------------------------------------------------ helpers

  const STATE_COLOURS = {
    ON: "#00ff00", OFF: "#ffffff", CLOSE: "#ffffff", OPEN: "#00ff00",
    INSERT: "#ffffff", EXTRACT: "#00ff00", MOVING: "#80a0ff", STANDBY: "#ffff00",
    FAULT: "#ff0000", INIT: "#cccc7a", RUNNING: "#008000", ALARM: "#ff8c00",
    DISABLE: "#ff00ff", UNKNOWN: "#808080",
  };
  const DARK_TEXT_STATES = new Set(["RUNNING", "FAULT", "UNKNOWN", "DISABLE"]);
  const NUMERIC = /^(DevU?Short|DevU?Long|DevU?Long64|DevFloat|DevDouble|DevUChar|DevBoolean|DevEnum)$/;
  const TREND_POINTS = 200;

  const $ = (sel, root = document) => root.querySelector(sel);

  /** Make an element: el("td", {class: "x", "data-attr": "a"}, child, "text"). */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  /** Set a text only when it differs (cheap at 500 updates a second). */
  function setText(node, text) {
    if (node && node.textContent !== text) node.textContent = text;
  }

  const errorText = (e) => (e ? `${e.reason}: ${e.desc}` : "");

  function formatNumber(v) {
    if (typeof v === "string") return v; // "nan", "inf", "-inf"
    if (typeof v === "boolean") return v ? "true" : "false";
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e7 || a < 1e-4)) return v.toExponential(4);
    return String(+v.toPrecision(7));
  }

  /** A short number for axis labels. */
  function formatAxis(v) {
    if (!Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
    return String(+v.toPrecision(4));
  }

  function toNumber(v) {
    if (typeof v === "number") return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (v === "inf") return Infinity;
    if (v === "-inf") return -Infinity;
    if (v && typeof v === "object" && "value" in v) return v.value;
    return NaN;
  }

  function formatTime(t) {
    if (!t) return "";
    const d = new Date(t * 1000);
    return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
  }

  function paintState(node, state) {
    setText(node, state);
    node.style.background = STATE_COLOURS[state] || STATE_COLOURS.UNKNOWN;
    node.style.color = DARK_TEXT_STATES.has(state) ? "#ffffff" : "#000000";
  }

  // ------------------------------------------------------------------ API

  async function getJSON(url) {
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    return response.json();
  }

  async function postJSON(url, body) {
    try {
      const response = await fetch(url, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      return await response.json();
    } catch (e) {
      return { ok: false, error: { reason: "PyWeb_Error", desc: String(e), origin: "page" } };
    }
  }

  // ------------------------------------------------------------------ tree

  let treeItems = []; // [{name, node}]

  function groupNode(label, count) {
    const details = el("details", { class: "group", open: true });
    details.append(el("summary", {}, label, el("span", { class: "count", text: ` ${count}` })));
    return details;
  }

  function renderTree(devices) {
    const tree = $("#tree");
    tree.replaceChildren();
    treeItems = [];
    const domains = new Map();
    for (const dev of devices) {
      const [domain = "?", family = "?", ...rest] = dev.name.split("/");
      if (!domains.has(domain)) domains.set(domain, new Map());
      const families = domains.get(domain);
      if (!families.has(family)) families.set(family, []);
      families.get(family).push({ ...dev, member: rest.join("/") });
    }
    for (const domain of [...domains.keys()].sort()) {
      const families = domains.get(domain);
      const total = [...families.values()].reduce((n, list) => n + list.length, 0);
      const dNode = groupNode(domain, total);
      for (const family of [...families.keys()].sort()) {
        const members = families.get(family).sort((a, b) => a.member.localeCompare(b.member));
        const fNode = groupNode(family, members.length);
        const list = el("ul");
        for (const dev of members) {
          const item = el(
            "li",
            {
              "data-device": dev.name, class: dev.exported ? "device" : "device down",
              title: `${dev.name}\nserver ${dev.server}\nclass ${dev.class}`,
              onclick: () => openByName(dev.name),
            },
            el("span", { class: "member", text: dev.member }),
            el("span", { class: "meta", text: `${dev.class} · ${dev.server}` }),
          );
          list.append(item);
          treeItems.push({ name: dev.name, node: item });
        }
        fNode.append(list);
        dNode.append(fNode);
      }
      tree.append(dNode);
    }
    applyFilter();
    markSelected();
  }

  /** "sys/*\/1" style wildcards, otherwise a case-insensitive substring. */
  function matcher(text) {
    const pattern = text.trim().toLowerCase();
    if (!pattern) return () => true;
    if (/[*?]/.test(pattern)) {
      const re = new RegExp(pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, "."));
      return (name) => re.test(name.toLowerCase());
    }
    return (name) => name.toLowerCase().includes(pattern);
  }

  function applyFilter() {
    const filter = $("#filter").value;
    const match = matcher(filter);
    for (const { name, node } of treeItems) node.hidden = !match(name);
    for (const group of [...document.querySelectorAll("#tree details")].reverse()) {
      const visible = group.querySelector("li.device:not([hidden])") !== null;
      group.hidden = !visible;
      if (filter.trim() && visible) group.open = true;
    }
  }

  function markSelected() {
    for (const { name, node } of treeItems) node.classList.toggle("selected", name === web.device);
  }

  async function loadTree() {
    try {
      const tree = await getJSON("api/tree");
      setText($("#tango-host"), tree.tango_host ? `TANGO_HOST ${tree.tango_host}` : "no TANGO_HOST");
      setText($("#tree-error"), errorText(tree.error));
      renderTree(tree.devices || []);
    } catch (e) {
      setText($("#tree-error"), `PyWeb_Error: ${e}`);
    }
  }

  // ------------------------------------------------------------------ routing

  function openByName(name) {
    location.hash = "device=" + encodeURIComponent(name);
  }

  function deviceFromHash() {
    const match = /(?:^#|&)device=([^&]*)/.exec(location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function route() {
    const name = deviceFromHash();
    if (name && name !== current?.name) openDevice(name);
    if (!name && current) closeDevice();
  }

  // ------------------------------------------------------------------ device view

  let current = null; // {name, rows: Map(attr -> row), attributes: [names]}
  let generation = 0;

  // IMAGE attributes are heavy (a 251 x 251 image is ~300 kB of JSON a read): they are
  // watched only while their row is on screen, the others always.
  const visibleImages = new Set();
  const imageObserver = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const name = entry.target.dataset.attr;
      if (entry.isIntersecting) visibleImages.add(name);
      else visibleImages.delete(name);
    }
    scheduleWatch();
  }, { rootMargin: "200px" });
  let watchTimer = null;

  function scheduleWatch() {
    clearTimeout(watchTimer);
    watchTimer = setTimeout(watchCurrent, 200);
  }

  function forgetImages() {
    imageObserver.disconnect();
    plotObserver.disconnect();
    visibleImages.clear();
  }

  function closeDevice() {
    if (current) send({ op: "unwatch", device: current.name });
    forgetImages();
    current = null;
    web.device = null;
    $("#device-pane").replaceChildren(el("p", { id: "placeholder", text: "Pick a device in the tree, or type its name above." }));
    markSelected();
  }

  async function openDevice(name) {
    if (current) send({ op: "unwatch", device: current.name });
    forgetImages();
    const mine = ++generation;
    current = { name, rows: new Map(), attributes: [] };
    web.device = null;
    $("#device-pane").replaceChildren(el("p", { class: "loading", text: `Loading ${name}…` }));
    let info;
    try {
      info = await getJSON("api/device?name=" + encodeURIComponent(name));
    } catch (e) {
      info = { name, error: { reason: "PyWeb_Error", desc: String(e), origin: "page" } };
    }
    if (mine !== generation) return; // another device was opened meanwhile
    renderDevice(info);
    web.device = name;
    markSelected();
    watchCurrent();
  }

  function renderDevice(info) {
    const pane = $("#device-pane");
    const state = el("span", { id: "state", text: "" });
    paintState(state, info.state || "UNKNOWN");
    const head = el(
      "div", { class: "device-head" },
      el("h2", { text: info.name }), state,
      el("pre", { id: "status", text: info.status || "" }),
      el("div", { id: "device-error", class: "error", text: errorText(info.error) }),
    );
    const attributes = (info.attributes || []).filter((a) => a.name !== "State" && a.name !== "Status");
    current.attributes = attributes.map((a) => a.name);
    pane.replaceChildren(
      head,
      section("Attributes", attributeTable(attributes)),
      section("Commands", commandTable(info.commands || [])),
      section("Properties", propertyEditor(info.properties || {})),
    );
  }

  function section(title, body) {
    return el("details", { class: "section", open: true }, el("summary", { text: title }), body);
  }

  // ---- attributes

  function attributeTable(attributes) {
    const body = el("tbody");
    for (const attr of attributes) body.append(attributeRow(attr));
    return el(
      "table", { class: "attributes" },
      el("thead", {}, el("tr", {}, ...["attribute", "value", "unit", "quality · time", "write"].map((h) => el("th", { text: h })))),
      body,
    );
  }

  function attributeRow(attr) {
    const writable = attr.writable && attr.writable !== "READ";
    const row = {
      attr, kind: plotKind(attr), trend: null, data: null, dirty: false,
      value: el("span", { class: "value" }),
      quality: el("span", { class: "quality" }),
      time: el("div", { class: "time" }),
      error: el("div", { class: "error" }),
      canvas: null,
    };
    const valueCell = el("td", { class: "value-cell" }, row.value);
    if (row.kind) {
      const size = { trend: [160, 28], spectrum: [400, 140], image: [300, 180] }[row.kind];
      row.canvas = el("canvas", { class: `plot ${row.kind}`, width: size[0], height: size[1] });
      valueCell.append(row.canvas);
      observePlot(row);
      if (row.kind === "trend") row.trend = { values: new Float64Array(TREND_POINTS), n: 0, start: 0 };
    }
    valueCell.append(row.error);
    const title = attr.description && attr.description !== "No description" ? attr.description : "";
    const nameCell = el(
      "td", { class: "name", title },
      el("div", { class: "label", text: attr.label || attr.name }),
      attr.label && attr.label !== attr.name ? el("div", { class: "attr-name", text: attr.name }) : null,
      el("div", { class: "type", text: `${attr.type} ${attr.format !== "SCALAR" ? attr.format.toLowerCase() : ""}` }),
    );
    const writeCell = el("td", { class: "write-cell" });
    if (writable) {
      const input = el("input", { class: "write", type: "text", placeholder: writePlaceholder(attr) });
      const button = el("button", { class: "write", type: "button", text: "Write" });
      const writeError = el("div", { class: "write-error" });
      const doWrite = () => writeAttribute(attr.name, input, button, writeError);
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") doWrite(); });
      button.addEventListener("click", doWrite);
      writeCell.append(el("div", { class: "write-line" }, input, button), writeError);
    }
    const tr = el("tr", { "data-attr": attr.name }, nameCell, valueCell, el("td", { class: "unit", text: attr.unit || "" }), el("td", { class: "qt" }, row.quality, row.time), writeCell);
    current.rows.set(attr.name, row);
    if (attr.format === "IMAGE") {
      row.value.textContent = "(read while on screen)";
      imageObserver.observe(tr);
    }
    return tr;
  }

  function plotKind(attr) {
    if (!NUMERIC.test(attr.type)) return null;
    if (attr.type === "DevEnum") return null; // shown by label
    if (attr.format === "SPECTRUM") return "spectrum";
    if (attr.format === "IMAGE") return "image";
    if (attr.type === "DevBoolean" || attr.type === "DevEnum") return null;
    return "trend";
  }

  function writePlaceholder(attr) {
    if (attr.enum_labels && attr.enum_labels.length) return attr.enum_labels.join(" | ");
    if (attr.format !== "SCALAR") return "1, 2, 3";
    if (attr.type === "DevBoolean") return "true | false";
    return attr.type.replace(/^Dev/, "").toLowerCase();
  }

  async function writeAttribute(name, input, button, writeError) {
    const device = current.name;
    button.disabled = true;
    const reply = await postJSON("api/write", { device, attribute: name, value: input.value });
    button.disabled = false;
    setText(writeError, reply.ok ? "" : errorText(reply.error));
    input.classList.toggle("failed", !reply.ok);
  }

  // ---- commands

  function commandTable(commands) {
    const body = el("tbody");
    for (const cmd of commands) {
      const argin = cmd.in_type === "DevVoid" ? null : el("input", { class: "argin", type: "text", placeholder: cmd.in_type, title: cmd.in_desc || "" });
      const result = el("div", { class: "result" });
      const error = el("div", { class: "error" });
      const run = el("button", { class: "run", type: "button", text: "Run" });
      const go = async () => {
        run.disabled = true;
        const reply = await postJSON("api/command", { device: current.name, command: cmd.name, argin: argin ? argin.value : "" });
        run.disabled = false;
        setText(error, reply.ok ? "" : errorText(reply.error));
        setText(result, reply.ok ? formatResult(reply.result, cmd.out_type) : "");
      };
      run.addEventListener("click", go);
      if (argin) argin.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
      body.append(el(
        "tr", { "data-command": cmd.name },
        el("td", { class: "name", title: cmd.out_desc || "" }, el("div", { class: "label", text: cmd.name }), el("div", { class: "type", text: `${cmd.in_type} → ${cmd.out_type}` })),
        el("td", { class: "argin-cell" }, argin, run),
        el("td", { class: "result-cell" }, result, error),
      ));
    }
    return el("table", { class: "commands" }, body);
  }

  /** One array item as text (enum items by label, also when they come as numbers). */
  function itemText(v, labels) {
    if (v && typeof v === "object" && "label" in v) return v.label;
    if (labels && labels.length && Number.isInteger(v) && labels[v] !== undefined) return labels[v];
    return typeof v === "number" || typeof v === "boolean" ? formatNumber(v) : String(v);
  }

  const ARRAY_TEXT_ITEMS = 64;

  /** An array shown as text: its first items, then how many there are. */
  function arrayText(items, labels) {
    const shown = items.slice(0, ARRAY_TEXT_ITEMS).map((v) => itemText(v, labels)).join(", ");
    return items.length > ARRAY_TEXT_ITEMS ? `${shown}, … (${items.length} items)` : shown;
  }

  function formatResult(value, outType) {
    if (outType === "DevVoid") return "done";
    if (typeof value === "string") return value;
    if (typeof value === "number") return formatNumber(value);
    return JSON.stringify(value);
  }

  // ---- properties

  function propertyEditor(properties) {
    const body = el("tbody");
    const addRow = (name, lines) => {
      body.append(el(
        "tr", { "data-property": name },
        el("td", { class: "name", text: name }),
        el("td", {}, el("textarea", { class: "prop-value", rows: Math.min(Math.max(lines.length, 1), 8), spellcheck: "false" }, lines.join("\n"))),
      ));
    };
    for (const name of Object.keys(properties).sort()) addRow(name, properties[name]);
    const newName = el("input", { class: "new-prop", type: "text", placeholder: "new property name" });
    const add = el("button", { type: "button", text: "Add" });
    add.addEventListener("click", () => {
      const name = newName.value.trim();
      if (name && !body.querySelector(`[data-property="${CSS.escape(name)}"]`)) addRow(name, []);
      newName.value = "";
    });
    const error = el("div", { id: "properties-error", class: "error" });
    const save = el("button", { class: "save-props", type: "button", text: "Save properties" });
    save.addEventListener("click", async () => {
      const props = {};
      for (const tr of body.querySelectorAll("[data-property]")) {
        const text = tr.querySelector("textarea").value;
        props[tr.dataset.property] = text === "" ? [] : text.split("\n");
      }
      save.disabled = true;
      const reply = await postJSON("api/properties", { device: current.name, properties: props });
      save.disabled = false;
      setText(error, reply.ok ? "" : errorText(reply.error));
      save.classList.toggle("saved", !!reply.ok);
    });
    return el("div", { class: "properties" }, el("table", {}, body), el("div", { class: "prop-actions" }, newName, add, save), error);
  }

  // ------------------------------------------------------------------ live updates

  let socket = null;
  let backoff = 250;

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function watchCurrent() {
    if (!current || web.device !== current.name) return;
    const attributes = current.attributes.filter((name) => current.rows.get(name).attr.format !== "IMAGE" || visibleImages.has(name));
    send({ op: "watch", device: current.name, attributes, period: Number($("#period").value) });
  }

  function connect() {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${location.pathname.replace(/[^/]*$/, "")}ws`;
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      backoff = 250;
      setLink(true);
      watchCurrent();
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      for (const update of frame.updates || []) applyUpdate(update);
    });
    socket.addEventListener("close", () => {
      setLink(false);
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    });
  }

  function setLink(up) {
    const node = $("#ws-status");
    setText(node, up ? "live" : "offline");
    node.className = up ? "ws-up" : "ws-down";
  }

  function applyUpdate(u) {
    if (!current || u.device !== current.name) return;
    try {
      if (u.attribute === "State") {
        if (!u.error) paintState($("#state"), String(u.value));
      } else if (u.attribute === "Status") {
        if (!u.error) setText($("#status"), String(u.value));
      } else {
        const row = current.rows.get(u.attribute);
        if (row) applyToRow(row, u);
      }
      web.updates += 1;
    } catch (e) {
      console.error("update", u, e);
    }
  }

  function applyToRow(row, u) {
    setText(row.error, errorText(u.error));
    if (u.error) return;
    const quality = (u.quality || "").replace(/^ATTR_/, "");
    setText(row.quality, quality);
    row.quality.className = "quality q-" + quality.toLowerCase();
    setText(row.time, formatTime(u.time));
    const v = u.value;
    const format = u.format || row.attr.format;
    if (format === "SCALAR") {
      showScalar(row, u, v);
    } else if (format === "SPECTRUM") {
      setText(row.value, Array.isArray(v) ? (row.kind ? `${v.length} points` : arrayText(v, row.attr.enum_labels)) : String(v));
      if (row.kind) { row.data = v; markDirty(row); }
    } else {
      const dim = u.dim && u.dim.length ? `${u.dim[0]} × ${u.dim[1]}` : "";
      setText(row.value, Array.isArray(v) ? (row.kind ? dim : `${dim}: ${arrayText(v.flat(), row.attr.enum_labels)}`) : String(v));
      if (row.kind) { row.data = v; markDirty(row); }
    }
  }

  function showScalar(row, u, v) {
    const type = u.type || row.attr.type;
    if (type === "DevState") {
      const state = String(v);
      setText(row.value, state);
      row.value.className = "value state";
      row.value.style.background = STATE_COLOURS[state] || STATE_COLOURS.UNKNOWN;
      row.value.style.color = DARK_TEXT_STATES.has(state) ? "#ffffff" : "#000000";
      return;
    }
    if (v && typeof v === "object" && "label" in v) setText(row.value, v.label);
    else if (typeof v === "number" || typeof v === "boolean" || v === "nan" || v === "inf" || v === "-inf") setText(row.value, formatNumber(v));
    else setText(row.value, typeof v === "string" ? v : JSON.stringify(v));
    if (row.trend) {
      const t = row.trend;
      const x = toNumber(v);
      if (t.n < TREND_POINTS) t.values[(t.start + t.n++) % TREND_POINTS] = x;
      else { t.values[t.start] = x; t.start = (t.start + 1) % TREND_POINTS; }
      markDirty(row);
    }
  }

  // ------------------------------------------------------------------ plots

  // Canvases off screen are not drawn: they stay stale and are drawn once back in view.
  const dirty = new Set();
  let frameRequested = false;
  const canvasRows = new WeakMap();
  const plotObserver = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const row = canvasRows.get(entry.target);
      if (!row) continue;
      row.visible = entry.isIntersecting;
      if (row.visible && row.stale) markDirty(row);
    }
  }, { rootMargin: "100px" });

  function observePlot(row) {
    row.visible = false;
    canvasRows.set(row.canvas, row);
    plotObserver.observe(row.canvas);
  }

  function markDirty(row) {
    dirty.add(row);
    if (!frameRequested) {
      frameRequested = true;
      requestAnimationFrame(drawDirty);
    }
  }

  function drawDirty() {
    frameRequested = false;
    const rows = [...dirty];
    dirty.clear();
    for (const row of rows) {
      if (!row.canvas.isConnected) continue;
      if (!row.visible) { row.stale = true; continue; }
      row.stale = false;
      try {
        if (row.kind === "trend") drawTrend(row);
        else if (row.kind === "spectrum") drawSpectrum(row);
        else drawImage(row);
      } catch (e) {
        console.error("plot", row.attr.name, e);
      }
    }
  }

  function range(values) {
    let lo = Infinity, hi = -Infinity;
    for (const v of values) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    if (lo === Infinity) return [0, 1];
    if (lo === hi) return [lo - 1, hi + 1];
    return [lo, hi];
  }

  function polyline(ctx, values, x0, y0, w, h, lo, hi) {
    const n = values.length;
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) { pen = false; continue; }
      const x = x0 + (n === 1 ? w / 2 : (i * w) / (n - 1));
      const y = y0 + h - ((v - lo) / (hi - lo)) * h;
      if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      pen = true;
    }
    ctx.stroke();
  }

  function drawTrend(row) {
    const { canvas, trend } = row;
    const ctx = canvas.getContext("2d");
    const values = new Float64Array(trend.n);
    for (let i = 0; i < trend.n; i++) values[i] = trend.values[(trend.start + i) % TREND_POINTS];
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#0f1620";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const [lo, hi] = range(values);
    ctx.strokeStyle = "#4fc3f7";
    ctx.lineWidth = 1.25;
    // the trend scrolls: the newest point is always at the right edge
    const w = ((canvas.width - 4) * Math.max(values.length - 1, 1)) / (TREND_POINTS - 1);
    polyline(ctx, values, canvas.width - 2 - w, 2, w, canvas.height - 4, lo, hi);
  }

  function drawSpectrum(row) {
    const { canvas } = row;
    const values = row.data.map(toNumber);
    const ctx = canvas.getContext("2d");
    const left = 62, right = 8, top = 8, bottom = 18;
    const w = canvas.width - left - right, h = canvas.height - top - bottom;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#0f1620";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const [lo, hi] = range(values);
    ctx.strokeStyle = "#33414f";
    ctx.lineWidth = 1;
    ctx.strokeRect(left + 0.5, top + 0.5, w, h);
    if (lo < 0 && hi > 0) {
      const y = Math.round(top + h - ((0 - lo) / (hi - lo)) * h) + 0.5;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + w, y); ctx.stroke();
    }
    ctx.fillStyle = "#b8c4d0";
    ctx.font = "11px sans-serif";
    ctx.textAlign = "right";
    ctx.textBaseline = "top";
    ctx.fillText(formatAxis(hi), left - 4, top);
    ctx.textBaseline = "bottom";
    ctx.fillText(formatAxis(lo), left - 4, top + h);
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.fillText("0", left, top + h + 3);
    ctx.textAlign = "right";
    ctx.fillText(String(Math.max(values.length - 1, 0)), left + w, top + h + 3);
    ctx.strokeStyle = "#ffd54f";
    ctx.lineWidth = 1.5;
    polyline(ctx, values, left, top, w, h, lo, hi);
  }

  // a perceptual-ish "viridis-like" scale: 5 stops, linear in between
  const SCALE = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  function colour(f) {
    const x = Math.min(Math.max(f, 0), 1) * (SCALE.length - 1);
    const i = Math.min(Math.floor(x), SCALE.length - 2);
    const t = x - i;
    const a = SCALE[i], b = SCALE[i + 1];
    return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
  }

  function drawImage(row) {
    const { canvas } = row;
    const rows = row.data;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#0f1620";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const ny = rows.length, nx = ny ? rows[0].length : 0;
    if (!nx || !ny) return;
    let lo = Infinity, hi = -Infinity;
    for (const r of rows) for (const v of r) { const n = toNumber(v); if (Number.isFinite(n)) { if (n < lo) lo = n; if (n > hi) hi = n; } }
    if (lo === Infinity) { lo = 0; hi = 1; }
    const span = hi - lo || 1;
    if (!row.offscreen || row.offscreen.width !== nx || row.offscreen.height !== ny) {
      row.offscreen = document.createElement("canvas");
      row.offscreen.width = nx;
      row.offscreen.height = ny;
    }
    const octx = row.offscreen.getContext("2d");
    const img = octx.createImageData(nx, ny);
    let k = 0;
    for (let y = 0; y < ny; y++) {
      const r = rows[y];
      for (let x = 0; x < nx; x++) {
        const n = toNumber(r[x]);
        const [cr, cg, cb] = Number.isFinite(n) ? colour((n - lo) / span) : [255, 0, 255];
        img.data[k++] = cr; img.data[k++] = cg; img.data[k++] = cb; img.data[k++] = 255;
      }
    }
    octx.putImageData(img, 0, 0);
    const barW = 12, labelW = 52, pad = 4;
    const w = canvas.width - barW - labelW - 3 * pad, h = canvas.height - 2 * pad;
    const scale = Math.min(w / nx, h / ny);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(row.offscreen, pad, pad, nx * scale, ny * scale);
    // the colour scale, with its min and max
    const bx = canvas.width - barW - labelW - pad;
    for (let i = 0; i < h; i++) {
      const [cr, cg, cb] = colour(1 - i / (h - 1));
      ctx.fillStyle = `rgb(${cr | 0},${cg | 0},${cb | 0})`;
      ctx.fillRect(bx, pad + i, barW, 1);
    }
    ctx.fillStyle = "#b8c4d0";
    ctx.font = "11px sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(formatAxis(hi), bx + barW + 4, pad);
    ctx.textBaseline = "bottom";
    ctx.fillText(formatAxis(lo), bx + barW + 4, pad + h);
  }

  // ------------------------------------------------------------------ start

  function start() {
    $("#filter").addEventListener("input", applyFilter);
    $("#add-device").addEventListener("keydown", (e) => {
      const name = e.target.value.trim();
      if (e.key === "Enter" && name) openByName(name);
    });
    $("#period").addEventListener("change", watchCurrent);
    window.addEventListener("hashchange", route);
    connect();
    loadTree();
    route();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
