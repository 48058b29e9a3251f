/* Admin page: sends the edit forms to the admin API and shows every problem it reports.
   Plain script, no build step; every request carries the session's CSRF token. */
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("admin-data").textContent);
  const T = data.text;
  const zh = data.lang === "zh";
  const FLASH = "tongban-admin-flash";
  const COLON = zh ? "：" : ": ";
  const SEMI = zh ? "；" : "; ";
  let csrf = null;

  // -- talking to the API -------------------------------------------------------------

  function problem(message, messageZh) {
    return { code: "client", message, message_zh: messageZh || message, fields: {} };
  }

  async function failure(response) {
    try {
      const body = await response.json();
      if (body && body.error) return body.error;
    } catch (ignored) { /* not JSON */ }
    return problem(`${response.status} ${response.statusText}`);
  }

  async function token() {
    if (csrf === null) {
      const response = await fetch("/api/session", { credentials: "same-origin" });
      if (!response.ok) throw await failure(response);
      csrf = (await response.json()).csrf_token;
    }
    return csrf;
  }

  async function send(method, url, body, contentType) {
    const headers = { "X-CSRF-Token": await token() };
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = contentType || "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    const response = await fetch(url, init);
    if (!response.ok) throw await failure(response);
    return response.json();
  }

  // -- showing results and problems ---------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function box(form) {
    const result = form.querySelector(".result");
    result.replaceChildren();
    result.className = "result";
    return result;
  }

  function clearMarks(form) {
    form.querySelectorAll(".invalid").forEach((node) => node.classList.remove("invalid"));
  }

  function fieldOf(form, path) {
    // "halls[0].matters[3].expected_minutes" -> the form's "expected_minutes" control
    const name = path.split(".").pop().replace(/\[\d+\]$/, "");
    return form.querySelector(`fieldset[data-name="${name}"]`) ||
      form.querySelector(`[name="${CSS.escape(name)}"]`);
  }

  function showError(form, error) {
    clearMarks(form);
    const result = box(form);
    result.classList.add("error");
    const paths = Object.keys(error.fields || {});
    if (paths.length === 0) {
      result.append(el("p", "primary", zh ? error.message_zh : error.message));
      const other = zh ? error.message : error.message_zh;
      if (other && other !== result.textContent) result.append(el("p", "secondary", other));
      result.scrollIntoView({ block: "nearest" });
      return;
    }
    // Each problem names the field as this form does; message_zh has one line per problem.
    const lines = zh ? (error.message_zh || "").split("\n").slice(1).filter(Boolean)
      : paths.map((path) => error.fields[path]);
    result.append(el("p", "primary", `${T.js_problems} (${lines.length})`));
    const table = el("table", "problems");
    for (const line of lines) {
      const row = el("tr");
      row.append(el("td", "", line));
      table.append(row);
    }
    for (const path of paths) {
      const control = fieldOf(form, path);
      if (control) control.classList.add("invalid");
    }
    result.append(table);
    result.scrollIntoView({ block: "nearest" });
  }

  function showOk(form, text) {
    clearMarks(form);
    box(form).append(el("p", "ok", `✓ ${text}`));
  }

  function reloadWith(text) {
    sessionStorage.setItem(FLASH, text);
    window.location.reload();
  }

  async function run(form, action, onSuccess) {
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    box(form).append(el("p", "working", T.js_working));
    try {
      onSuccess(await action());
    } catch (caught) {
      showError(form, caught && caught.fields !== undefined ? caught : problem(T.js_network));
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  // -- forms --------------------------------------------------------------------------

  function values(form) {
    const out = {};
    for (const input of form.querySelectorAll("input, select, textarea")) {
      const name = input.name;
      if (!name || input.type === "file" || input.dataset.skip !== undefined) continue;
      if (input.type === "checkbox" && (name === "skills" || name === "halls")) {
        out[name] = out[name] || [];
        if (input.checked) out[name].push(input.value);
      } else if (input.type === "checkbox") {
        out[name] = input.checked;
      } else if (input.tagName === "TEXTAREA") {
        out[name] = input.value.split("\n").map((line) => line.trim()).filter(Boolean);
      } else if (input.type === "number" && input.value.trim() !== "") {
        out[name] = Number(input.value);
      } else {
        out[name] = input.value;
      }
    }
    return out;
  }

  const LABELS = {
    class: (v) => T[`class_${v}`], zone: (v) => T[`zone_${v}`], kind: (v) => T[`kind_${v}`],
    role: (v) => T[`role_${v}`], bookable: (v) => (v ? T.yes : T.no),
    active: (v) => (v ? T.active : T.inactive), skills: (v) => v.join(", "),
    halls: (v) => v.join(", "), expected_minutes: (v) => String(v),
  };

  function refreshRow(key, item) {
    const row = document.querySelector(`tr.summary[data-row="${CSS.escape(key)}"]`);
    if (!row) return;
    for (const cell of row.querySelectorAll("[data-col]")) {
      const col = cell.dataset.col;
      if (col === "name") {
        cell.textContent = (zh ? item.name : item.name_en) || "—";
      } else if (col in item) {
        cell.textContent = LABELS[col] ? LABELS[col](item[col]) : item[col];
      }
    }
    if ("active" in item) row.classList.toggle("inactive", !item.active);
  }

  function showKiosk(form, result) {
    form.reset();
    const link = `${window.location.origin}/halls/${encodeURIComponent(form.dataset.hall)}` +
      `/kiosk#kiosk-token=${encodeURIComponent(result.token)}`;
    const out = box(form);
    out.append(el("p", "ok", `✓ ${T.js_saved}: ${result.kiosk.name}`));
    out.append(el("p", "", T.js_kiosk_token));
    out.append(el("code", "kiosk-token", result.token));
    out.append(el("p", "", T.js_kiosk_link));
    out.append(el("code", "kiosk-link", link));
  }

  function saved(form, result) {
    if (form.dataset.kind === "kiosk") {
      showKiosk(form, result);
      return;
    }
    if (form.dataset.reload !== undefined) {
      reloadWith(T.js_saved);
      return;
    }
    if (form.dataset.kind === "password") {
      form.reset();
      showOk(form, T.js_password_set);
      return;
    }
    const item = result.matter || result.window || result.staff;
    if (item && form.dataset.row) refreshRow(form.dataset.row, item);
    showOk(form, T.js_saved);
  }

  function submitEdit(form) {
    const body = form.dataset.kind === "unlock" ? undefined : values(form);
    run(form, () => send(form.dataset.method, form.dataset.url, body), (r) => saved(form, r));
  }

  function deactivate(form) {
    const label = form.dataset.label || "";
    if (!window.confirm(T.js_confirm_deactivate.replace("{name}", label))) return;
    run(form, () => send("DELETE", form.dataset.url), () => reloadWith(T.js_deactivated));
  }

  // -- the configuration file -----------------------------------------------------------

  function changeLine(name, parts) {
    const bits = [];
    for (const [key, label] of [["added", T.js_added], ["changed", T.js_changed],
      ["deactivated", T.js_removed]]) {
      if (parts[key] && parts[key].length) bits.push(`${label} ${parts[key].join(", ")}`);
    }
    return bits.length ? `${name}${COLON}${bits.join(SEMI)}` : null;
  }

  function showSummary(form, summary) {
    const result = box(form);
    result.append(el("p", "ok", `✓ ${summary.changed ? T.js_applied : T.js_no_change}`));
    const list = el("ul", "summary-list");
    for (const hall of summary.halls) {
      const lines = [hall.hall !== "unchanged" ? `${T.js_hall_status}${COLON}${T[`js_${hall.hall}`] || hall.hall}` : null];
      for (const part of ["matters", "windows", "groups"]) {
        lines.push(changeLine(T[`tab_${part}`] || part, hall[part] || {}));
      }
      const shown = lines.filter(Boolean);
      if (shown.length) list.append(el("li", "", `${T.js_hall} ${hall.id} — ${shown.join(" · ")}`));
    }
    const staff = changeLine(T.js_staff, summary.staff || {});
    if (staff) list.append(el("li", "", staff));
    if (list.children.length) {
      result.append(list);
      const again = el("a", "", T.js_reload);
      again.href = window.location.pathname + window.location.search + "#config";
      again.addEventListener("click", (e) => { e.preventDefault(); window.location.reload(); });
      result.append(again);
    }
  }

  async function upload(form) {
    const file = form.querySelector("input[type=file]").files[0];
    if (!file) {
      showError(form, problem(T.js_no_file));
      return;
    }
    const text = await file.text();
    run(form, () => send("PUT", "/api/admin/config", text, "application/toml"),
      (summary) => showSummary(form, summary));
  }

  // -- wiring -------------------------------------------------------------------------

  function showTab() {
    const wanted = (window.location.hash || "#matters").slice(1);
    const panels = document.querySelectorAll(".tab-panel");
    const known = Array.from(panels).some((p) => p.id === wanted);
    panels.forEach((p) => { p.hidden = p.id !== (known ? wanted : "matters"); });
    document.querySelectorAll(".tabs a").forEach((a) => {
      a.setAttribute("aria-selected", String(a.dataset.tab === (known ? wanted : "matters")));
    });
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form.edit-form");
    if (!form) return;
    event.preventDefault();
    if (form.dataset.kind === "config") upload(form); else submitEdit(form);
  });

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-toggle]");
    if (toggle) {
      const row = toggle.closest("tr");
      const editor = row.classList.contains("editor") ? row : row.nextElementSibling;
      editor.hidden = !editor.hidden;
      return;
    }
    const off = event.target.closest("[data-deactivate]");
    if (off) deactivate(off.closest("form"));
  });

  window.addEventListener("hashchange", () => { showTab(); window.scrollTo(0, 0); });
  showTab();
  window.addEventListener("load", () => window.scrollTo(0, 0));
  const flash = sessionStorage.getItem(FLASH);
  if (flash) {
    sessionStorage.removeItem(FLASH);
    const node = document.getElementById("flash");
    node.textContent = `✓ ${flash}`;
    node.hidden = false;
  }
})();
