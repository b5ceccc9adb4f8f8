/* 绩效自评表校验 — the drop page. Plain JavaScript, no libraries, nothing from the internet.
 *
 * Files go to POST /api/check (a few per request); the answer holds each
 * file's findings and its corrected copy (base64), kept here in the page.
 * The zip re-sends the original files to POST /api/bundle: the server keeps
 * nothing between requests.
 */
(function () {
  "use strict";

  var config = {
    max_file_bytes: 20 * 1024 * 1024,
    max_files: 200,
    max_request_bytes: 256 * 1024 * 1024,
    extensions: [".xlsx", ".xlsm", ".xls"],
    year: new Date().getFullYear() - 1
  };
  var CHUNK_FILES = 8;
  var CHUNK_BYTES = 16 * 1024 * 1024;

  /* ---------- language: ?lang=zh|en, else the browser's ---------- */

  function pickLang() {
    var asked = /[?&]lang=(zh|en)\b/.exec(location.search);
    if (asked) return asked[1];
    var langs = (navigator.languages && navigator.languages.length) ? navigator.languages : [navigator.language || "zh"];
    return String(langs[0] || "zh").toLowerCase().slice(0, 2) === "zh" ? "zh" : "en";
  }
  var LANG = pickLang();

  var TEXT = {
    zh: {
      title: "绩效自评表校验", sub: "校验 · 校正 · 空白模板", local: "在本机运行，文件不会上传到互联网",
      rules: "评分规则：", dropTitle: "把自评表拖到这里", dropOr: "或 ", dropPick: "点击选择文件",
      dropMany: "，可一次选多个",
      limits: "支持 {0}；每个文件不超过 {1}，一次最多 {2} 个",
      tplTitle: "下载空白模板", tplForm: "表样", tplDept: "部门整体支出（附件3-1）", tplProj: "项目支出（附件3-2）",
      tplYear: "年度", tplUnit: "单位或项目名称（可不填）", tplUnitHint: "例如：某某局", tplButton: "下载模板",
      zip: "下载全部校正副本（zip，含汇总表）", clear: "清空",
      helpTitle: "会检查什么",
      help1: "预算执行率与得分（执行率 × 分值，不超过分值）",
      help2: "每项三级指标的得分是否符合计分规则、是否超过分值",
      help3: "一级指标分值合计、总分是否等于各项得分之和",
      help4: "自评结论是否与总分的等级一致；扣分是否写明原因",
      helpNote: "校正副本中改动过的单元格会标色，并附“校验结果”工作表；原文件不会被修改。",
      department: "部门整体支出", project: "项目支出", error: "错误", warning: "警告",
      notFilled: "未填", empty: "（空）", year: "{0} 年度", indicators: "三级指标 {0} 项",
      unreadable: "无法读取", nErrors: "{0} 个错误", nWarnings: "{0} 个警告", noErrors: "无错误", passed: "通过",
      stated: "填报", computed: "计算", total: "总分", conclusion: "自评结论", budget: "预算执行",
      rate: "执行率", score: "得分", blank: "空白模板，未填写",
      colCell: "单元格", colCode: "代码", colLevel: "级别", colMessage: "说明", colSheet: "工作表",
      colOld: "原值", colNew: "新值",
      noFindings: "没有发现问题。", noMatch: "没有符合筛选条件的问题。",
      filterLevel: "级别", filterCode: "代码", sortBy: "排序", all: "全部",
      sortSeverity: "按级别", sortCell: "按单元格位置", sortCode: "按代码",
      shown: "显示 {0} / {1} 条",
      changes: "校正副本改动了 {0} 个单元格（点击查看）", sheet: "工作表「{0}」",
      forms: "{0} 张自评表", noForm: "未找到自评表", noFormLong: "文件中没有找到绩效自评表。",
      download: "下载校正副本", unreadableLine: "无法读取：{0}：{1}",
      checked: "已校验 ", files: " 个文件", ok: "通过", onlyWarnings: "仅有警告", withErrors: "有错误",
      progress: "正在校验 {0} / {1} 个文件……",
      notExcel: "不是 Excel 工作簿（只接受 {0}）", tooBig: "文件超过 {0} 的上限，未处理", zero: "文件是空的（0 字节）",
      tooMany: "一次最多 {0} 个文件，本次选择了 {1} 个。请分批拖入。",
      noServer: "无法连接到本机的校验服务，请确认 selfeval serve 仍在运行。", noAnswer: "服务器没有返回结果",
      uploadFailed: "上传失败：", tooLarge: "上传内容超过上限。", serverError: "服务器返回错误（{0}）。",
      bundleTooBig: "文件太多或太大，无法一次打包（最多 {0} 个、共 {1}）。请清空后分批处理。",
      bundling: "正在打包 {0} 个文件……", bundleFailed: "打包失败：", zipName: "自评表校正结果.zip",
      copyName: "校正副本.xlsx", sep: "、",
      unverified: "未核验", formula: "（公式改为 {0}）", layout: "版式 {0}", autoProfile: "按版式选用配置 {0}",
      unfilled: "未回填：{0}；校正副本中此表没有改动任何单元格",
      "layout-mof-3-1": "财政部附件3-1", "layout-mof-3-2": "财政部附件3-2", "layout-sichuan": "四川",
      "layout-hubei": "湖北", "layout-chongqing": "重庆", "layout-yunnan": "云南",
      "layout-evaluation": "决策/过程/产出/效益", "layout-unknown": "未识别",
      defaultProfileAuto: "按版式自动选用（默认 财政部附件3-1）"
    },
    en: {
      title: "Self-evaluation check", sub: "check · correct · blank templates",
      local: "Runs on this computer; files are not sent to the internet",
      rules: "scoring rules: ", dropTitle: "Drop self-evaluation workbooks here", dropOr: "or ",
      dropPick: "choose files", dropMany: " (several at once)",
      limits: "{0}; at most {1} per file, {2} files at once",
      tplTitle: "Download a blank template", tplForm: "Form", tplDept: "Department overall spending (3-1)",
      tplProj: "Project spending (3-2)", tplYear: "Year", tplUnit: "Unit or project name (optional)",
      tplUnitHint: "e.g. County Finance Bureau", tplButton: "Download template",
      zip: "Download all corrected copies (zip with summary)", clear: "Clear",
      helpTitle: "What is checked",
      help1: "Budget execution rate and score (rate × weight, at most the weight)",
      help2: "Each level-3 indicator's score: does it follow the scoring rule, does it exceed its weight",
      help3: "Level-1 weight totals; the total equals the sum of the scores",
      help4: "The conclusion matches the total's grade; every deduction has a reason",
      helpNote: "Changed cells are marked in the corrected copy, which also gets a findings sheet; the original file is not changed.",
      department: "department overall", project: "project", error: "error", warning: "warning",
      notFilled: "blank", empty: "(empty)", year: "year {0}", indicators: "{0} level-3 indicators",
      unreadable: "cannot be read", nErrors: function (n) { return n + (n === 1 ? " error" : " errors"); },
      nWarnings: function (n) { return n + (n === 1 ? " warning" : " warnings"); }, noErrors: "no errors",
      passed: "passed", stated: "stated", computed: "computed", total: "Total score", conclusion: "Conclusion",
      budget: "Budget execution", rate: "rate", score: "score", blank: "blank template, not filled in",
      colCell: "Cell", colCode: "Code", colLevel: "Severity", colMessage: "Message", colSheet: "Sheet",
      colOld: "Old", colNew: "New",
      noFindings: "No findings.", noMatch: "No finding matches the filter.",
      filterLevel: "Severity", filterCode: "Code", sortBy: "Sort", all: "all",
      sortSeverity: "by severity", sortCell: "by cell", sortCode: "by code",
      shown: "showing {0} of {1}",
      changes: function (n) { return "The corrected copy changed " + n + (n === 1 ? " cell" : " cells") + " (click to see)"; }, sheet: "Sheet '{0}'",
      forms: function (n) { return n + (n === 1 ? " form" : " forms"); }, noForm: "no form found", noFormLong: "No self-evaluation form was found in the file.",
      download: "Download corrected copy", unreadableLine: "Cannot read {0}: {1}",
      checked: "Checked ", files: function (n) { return n === 1 ? " file" : " files"; }, ok: "passed", onlyWarnings: "warnings only", withErrors: "with errors",
      progress: "Checking {0} / {1} files…",
      notExcel: "not an Excel workbook (only {0} are taken)", tooBig: "the file is over the {0} limit; not processed",
      zero: "the file is empty (0 bytes)",
      tooMany: "At most {0} files at once; {1} were chosen. Drop them in smaller batches.",
      noServer: "Cannot reach the checking service on this computer; is selfeval serve still running?",
      noAnswer: "the server sent no result",
      uploadFailed: "Upload failed: ", tooLarge: "The upload is over the limit.", serverError: "The server answered with an error ({0}).",
      bundleTooBig: "Too many or too large files for one zip (at most {0}, {1} in all). Clear and work in smaller batches.",
      bundling: "Packing {0} files…", bundleFailed: "Packing failed: ", zipName: "selfeval_checked.zip",
      copyName: "checked.xlsx", sep: ", ",
      unverified: "not verified", formula: " (formula now {0})", layout: "layout {0}", autoProfile: "profile {0}, chosen from the layout",
      unfilled: "Not filled in: {0}; the corrected copy changes no cell of this form",
      "layout-mof-3-1": "MoF 3-1", "layout-mof-3-2": "MoF 3-2", "layout-sichuan": "Sichuan",
      "layout-hubei": "Hubei", "layout-chongqing": "Chongqing", "layout-yunnan": "Yunnan",
      "layout-evaluation": "decision/process/output/benefit", "layout-unknown": "unknown",
      defaultProfileAuto: "chosen from each form's layout (default MoF 3-1)"
    }
  };

  function t(key) {
    var text = (TEXT[LANG] && TEXT[LANG][key]) || TEXT.zh[key] || key;
    if (typeof text === "function") return text.apply(null, Array.prototype.slice.call(arguments, 1));
    for (var i = 1; i < arguments.length; i++) text = text.split("{" + (i - 1) + "}").join(String(arguments[i]));
    return text;
  }

  function api(path) { return path + (path.indexOf("?") < 0 ? "?" : "&") + "lang=" + LANG; }

  function translatePage() {
    document.documentElement.lang = LANG === "en" ? "en" : "zh-CN";
    document.title = t("title");
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (node) {
      node.textContent = t(node.getAttribute("data-i18n"));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-placeholder]"), function (node) {
      node.setAttribute("placeholder", t(node.getAttribute("data-i18n-placeholder")));
    });
    var hidden = document.querySelector("#template-form input[name=lang]");
    if (hidden) hidden.value = LANG;
  }

  var entries = [];   // {file, result, sendable, node}
  var busy = false;
  var queue = [];

  var $ = function (id) { return document.getElementById(id); };
  var drop = $("drop"), input = $("file-input"), results = $("results"), messages = $("messages");

  /* ---------- small helpers ---------- */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "text") node.textContent = value;
        else if (key === "class") node.className = value;
        else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? "" : value);
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function mb(bytes) {
    var value = bytes / (1024 * 1024);
    return value >= 1 ? (Math.round(value * 10) / 10) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function num(value, digits) {
    if (value === null || value === undefined || value === "") return t("notFilled");
    if (typeof value !== "number") return String(value);
    var d = digits === undefined ? 3 : digits;
    return String(Number(value.toFixed(d)));
  }

  function percent(rate) {
    if (rate === null || rate === undefined) return "—";
    return (Math.round(rate * 10000) / 100).toFixed(2) + "%";
  }

  function extension(name) {
    var dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot).toLowerCase();
  }

  function say(text, kind) {
    messages.appendChild(el("div", { class: "message " + (kind || "error"), role: kind === "info" ? "status" : "alert", text: text }));
  }

  function clearMessages() { messages.textContent = ""; }

  function saveBlob(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = el("a", { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 30000);
  }

  function base64Blob(data, type) {
    var raw = atob(data), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return new Blob([bytes], { type: type });
  }

  function filenameFrom(disposition, fallback) {
    if (!disposition) return fallback;
    var star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    if (star) { try { return decodeURIComponent(star[1]); } catch (e) { /* fall through */ } }
    var plain = /filename="([^"]+)"/i.exec(disposition);
    return plain ? plain[1] : fallback;
  }

  async function errorText(response) {
    try {
      var body = await response.json();
      if (body && body.error) return body.error;
    } catch (e) { /* not JSON */ }
    if (response.status === 413) return t("tooLarge");
    return t("serverError", response.status);
  }

  /* ---------- one file's result ---------- */

  function counts(result) {
    var errors = 0, warnings = 0;
    (result.forms || []).forEach(function (form) {
      (form.findings || []).forEach(function (f) {
        if (f.severity === "error") errors++; else warnings++;
      });
    });
    return { errors: errors, warnings: warnings };
  }

  function verdict(result) {
    if (result.status === "unreadable") return "unreadable";
    var c = counts(result);
    if (result.status === "errors" || c.errors) return "errors";
    return c.warnings ? "warnings" : "ok";
  }

  function badge(result) {
    var v = verdict(result), c = counts(result), text;
    if (v === "unreadable") text = t("unreadable");
    else if (v === "errors") text = t("nErrors", c.errors) + (c.warnings ? " · " + t("nWarnings", c.warnings) : "");
    else if (v === "warnings") text = t("noErrors") + " · " + t("nWarnings", c.warnings);
    else text = t("passed");
    return el("span", { class: "badge " + v, text: text });
  }

  /* a form with no indicator filled in: a blank template, not a form that scored 0 */
  function isBlank(form) {
    var total = form.total || {};
    var e102 = (form.findings || []).some(function (f) { return f.code === "E102"; });
    // a template's 总分 cell is a SUM of empty cells: 0 counts as not filled in
    return (form.indicator_count === 0 || e102) && !total.stated;
  }

  function pair(label, stated, computed, bad) {
    return el("span", { class: "pair" + (bad ? " bad" : "") }, [
      label ? el("span", { class: "what", text: label }) : null,
      el("span", { class: "label", text: t("stated") }),
      el("span", { class: "num stated", text: stated }),
      el("span", { class: "arrow", text: "→" }),
      el("span", { class: "label", text: t("computed") }),
      el("span", { class: "num computed", text: computed })
    ]);
  }

  function scoreBox(kind, label, stated, computed, digits, isNumber, blank) {
    if (blank) {
      return el("div", { class: "score blank", "data-kind": kind }, [
        el("dt", { text: label }), el("dd", null, [el("span", { class: "blank-text", text: t("blank") })])
      ]);
    }
    var differ;
    if (isNumber) differ = stated === null || stated === undefined || computed === null || computed === undefined ||
      Math.abs(stated - computed) > 0.005;
    else differ = (stated || "") !== (computed || "");
    if (computed === null || computed === undefined) differ = false;
    var shownStated = isNumber ? num(stated, digits) : (stated || t("notFilled"));
    // no computed value: the form is not filled in completely, or a part it needs was not understood
    var shownComputed = computed === null || computed === undefined || computed === "" ? t("unverified")
      : (isNumber ? num(computed, digits) : computed);
    if (computed === "") differ = false;
    return el("div", { class: "score" + (differ ? " bad" : ""), "data-kind": kind }, [
      el("dt", { text: label }),
      el("dd", null, [pair(null, shownStated, shownComputed, differ)])
    ]);
  }

  function budgetBox(form) {
    var budget = form.budget || {};
    var codes = {};
    (form.findings || []).forEach(function (f) { codes[f.code] = true; });
    var rateBad = !!codes.F101, scoreBad = !!codes.F102;
    var statedRate = budget.stated_rate === undefined ? budget.rate : budget.stated_rate;
    var statedScore = budget.stated_score === undefined ? budget.score : budget.stated_score;
    return el("div", { class: "score budget" + (rateBad || scoreBad ? " bad" : ""), "data-kind": "budget" }, [
      el("dt", { text: t("budget") }),
      el("dd", null, [
        pair(t("rate"), statedRate === null || statedRate === undefined ? t("notFilled") : percent(statedRate),
          percent(budget.rate), rateBad),
        pair(t("score"), num(statedScore), budget.score === null || budget.score === undefined ? "—" : num(budget.score),
          scoreBad)
      ])
    ]);
  }

  /* A1 → [row, column] for sorting by position */
  function position(cell) {
    var m = /^([A-Z]+)(\d+)$/.exec(cell || "");
    if (!m) return [Infinity, Infinity];
    var col = 0;
    for (var i = 0; i < m[1].length; i++) col = col * 26 + m[1].charCodeAt(i) - 64;
    return [parseInt(m[2], 10), col];
  }

  var SORTS = {
    severity: function (a, b) { return (a.severity === "error" ? 0 : 1) - (b.severity === "error" ? 0 : 1) || a.index - b.index; },
    cell: function (a, b) {
      var pa = position(a.cell), pb = position(b.cell);
      return pa[0] - pb[0] || pa[1] - pb[1] || a.index - b.index;
    },
    code: function (a, b) { return a.code < b.code ? -1 : a.code > b.code ? 1 : a.index - b.index; }
  };

  function select(cls, label, options, value, onchange) {
    return el("label", { class: "ctl " + cls }, [
      el("span", { text: label }),
      el("select", { onchange: onchange }, options.map(function (o) {
        return el("option", { value: o[0], selected: o[0] === value, text: o[1] });
      }))
    ]);
  }

  function findingsTable(form) {
    var findings = (form.findings || []).map(function (f, i) {
      return { index: i, code: f.code || "", severity: f.severity, cell: f.cell, message: f.message || "" };
    });
    if (!findings.length) return el("p", { class: "no-findings", text: t("noFindings") });
    var state = { level: "", code: "", sort: "severity" };
    var codeCount = {};
    findings.forEach(function (f) { codeCount[f.code] = (codeCount[f.code] || 0) + 1; });
    var codes = Object.keys(codeCount).sort();
    var tbody = el("tbody"), count = el("span", { class: "shown" });
    var table = el("table", { class: "grid findings" }, [
      el("thead", null, [el("tr", null, [["cell", "colCell"], ["code", "colCode"], ["severity", "colLevel"],
        [null, "colMessage"]].map(function (h) {
        var pick = function () { state.sort = h[0]; sortSelect.value = h[0]; render(); };
        return el("th", {
          text: t(h[1]), class: h[0] ? "sortable" : null, "data-sort": h[0], tabindex: h[0] ? "0" : null,
          onclick: h[0] ? pick : null,
          onkeydown: h[0] ? function (event) {
            if (event.key === "Enter" || event.key === " ") { event.preventDefault(); pick(); }
          } : null
        });
      }))]),
      tbody
    ]);

    function render() {
      var shown = findings.filter(function (f) {
        return (!state.level || f.severity === state.level) && (!state.code || f.code === state.code);
      }).sort(SORTS[state.sort]);
      tbody.textContent = "";
      shown.forEach(function (f) {
        tbody.appendChild(el("tr", { class: "sev-" + f.severity, "data-code": f.code }, [
          el("td", { class: "cell", text: f.cell || "—" }),
          el("td", { class: "code", text: f.code }),
          el("td", { class: "level", text: t(f.severity) }),
          el("td", { class: "message", text: f.message })
        ]));
      });
      Array.prototype.forEach.call(table.querySelectorAll("th.sortable"), function (th) {
        var sorted = th.getAttribute("data-sort") === state.sort;
        th.classList.toggle("sorted", sorted);
        th.setAttribute("aria-sort", sorted ? "ascending" : "none");
      });
      count.textContent = t("shown", shown.length, findings.length);
      empty.hidden = shown.length > 0;
      table.hidden = shown.length === 0;
    }

    var levelSelect = select("ctl-level", t("filterLevel"),
      [["", t("all")], ["error", t("error")], ["warning", t("warning")]], "",
      function () { state.level = this.value; render(); });
    var codeSelect = select("ctl-code", t("filterCode"),
      [["", t("all")]].concat(codes.map(function (c) { return [c, c + " (" + codeCount[c] + ")"]; })), "",
      function () { state.code = this.value; render(); });
    var sortLabel = select("ctl-sort", t("sortBy"),
      [["severity", t("sortSeverity")], ["cell", t("sortCell")], ["code", t("sortCode")]], "severity",
      function () { state.sort = this.value; render(); });
    var sortSelect = sortLabel.querySelector("select");
    var empty = el("p", { class: "no-match", text: t("noMatch") });
    render();
    return el("div", { class: "findings-block" }, [
      el("div", { class: "findings-tools" }, [levelSelect, codeSelect, sortLabel, count]),
      table, empty
    ]);
  }

  function formBlock(form) {
    var total = form.total || {}, conclusion = form.conclusion || {};
    var blank = isBlank(form);
    var sub = [t(form.kind) || form.kind, form.unit, form.year ? t("year", form.year) : null,
      form.indicator_count !== undefined ? t("indicators", form.indicator_count) : null,
      form.layout ? t("layout", TEXT[LANG]["layout-" + form.layout] || form.layout) : null,
      form.profile && form.profile.auto ? t("autoProfile", form.profile.name) : null]
      .filter(Boolean).join(" · ");
    var boxes = [
      scoreBox("total", t("total"), total.stated, total.computed, 3, true, blank),
      scoreBox("conclusion", t("conclusion"), conclusion.stated, conclusion.computed, 0, false, blank),
      budgetBox(form)
    ];
    return el("div", { class: "form" }, [
      el("div", { class: "form-head" }, [
        el("span", { class: "form-title", text: t("sheet", form.sheet || "") }),
        el("span", { class: "form-sub", text: sub })
      ]),
      el("dl", { class: "scores" }, boxes),
      form.unfilled ? el("p", { class: "unfilled", text: t("unfilled", form.unfilled) }) : null,
      findingsTable(form)
    ]);
  }

  function changesBlock(changes) {
    if (!changes || !changes.length) return null;
    var rows = changes.map(function (c) {
      return el("tr", null, [
        el("td", { class: "sheet", text: c.sheet || "" }),
        el("td", { class: "cell", text: c.cell || "" }),
        el("td", { class: "num", text: c.old === null || c.old === undefined ? t("empty") : num(c.old, 4) }),
        el("td", { class: "num", text: (c.new === null || c.new === undefined ? t("empty") : num(c.new, 4)) +
          (c.formula ? t("formula", c.formula) : "") })
      ]);
    });
    return el("details", { class: "changes" }, [
      el("summary", { text: t("changes", changes.length) }),
      el("div", { class: "changes-wrap" }, [
        el("table", { class: "grid" }, [
          el("thead", null, [el("tr", null, [t("colSheet"), t("colCell"), t("colOld"), t("colNew")].map(function (h) {
            return el("th", { text: h });
          }))]),
          el("tbody", null, rows)
        ])
      ])
    ]);
  }

  function downloadCorrected(result) {
    saveBlob(base64Blob(result.corrected, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
      result.corrected_name || t("copyName"));
  }

  function totalBrief(form) {
    var total = form.total || {};
    if (isBlank(form)) return el("span", { class: "file-total blank-text", text: t("blank") });
    if (total.computed === null || total.computed === undefined) return null;
    var differ = total.stated === null || total.stated === undefined || Math.abs(total.stated - total.computed) > 0.005;
    return el("span", { class: "file-total" + (differ ? " bad" : "") }, [
      t("total") + " ", el("b", { text: num(total.stated) }), " → ", el("b", { text: num(total.computed) })
    ]);
  }

  function fileNode(entry, open) {
    var result = entry.result;
    if (result.status === "unreadable") {
      return el("article", { class: "file st-unreadable", "data-name": result.name }, [
        el("p", { class: "unreadable-text", role: "alert", text: t("unreadableLine", result.name, result.error || t("unreadable")) })
      ]);
    }
    var forms = result.forms || [];
    var head = el("summary", { class: "file-head" }, [
      badge(result),
      el("span", { class: "file-name", text: result.name, title: result.name }),
      el("span", { class: "file-meta", text: (forms.length ? t("forms", forms.length) : t("noForm")) + " · " + mb(result.size || entry.file.size) }),
      forms.length === 1 && forms[0].total ? totalBrief(forms[0]) : null,
      el("span", { class: "file-spacer" }),
      result.corrected ? el("button", {
        type: "button", class: "btn btn-small download-corrected", text: t("download"),
        onclick: function (event) { event.preventDefault(); event.stopPropagation(); downloadCorrected(result); }
      }) : null
    ]);
    var body = el("div", { class: "file-body" }, forms.map(formBlock).concat([changesBlock(result.changes)]));
    if (!forms.length) body.insertBefore(el("p", { class: "no-findings", text: t("noFormLong") }), body.firstChild);
    return el("details", { class: "file st-" + verdict(result), "data-name": result.name, open: open }, [head, body]);
  }

  /* ---------- the batch ---------- */

  function renderSummary() {
    var done = entries.filter(function (e) { return e.result; });
    var tally = { ok: 0, warnings: 0, errors: 0, unreadable: 0 };
    done.forEach(function (e) { tally[verdict(e.result)]++; });
    var box = $("batch-summary");
    box.textContent = "";
    box.appendChild(el("span", null, [t("checked"), el("b", { text: String(done.length) }), t("files", done.length)]));
    [["ok", t("ok"), "count-ok"], ["warnings", t("onlyWarnings"), "count-warnings"], ["errors", t("withErrors"), "count-errors"],
     ["unreadable", t("unreadable"), "count-unreadable"]].forEach(function (item) {
      if (!tally[item[0]]) return;
      box.appendChild(el("span", { class: "sep", text: "|" }));
      box.appendChild(el("span", { class: item[2] }, [item[1] + " ", el("b", { text: String(tally[item[0]]) })]));
    });
    var bundleable = entries.filter(function (e) { return e.sendable && e.result; }).length;
    $("zip-button").hidden = !(entries.length > 1 && bundleable > 0);
    $("batch").hidden = entries.length === 0;
    document.body.classList.toggle("has-results", entries.length > 0);
  }

  function progress(done, total) {
    var box = $("progress");
    if (total === 0 || done >= total) { box.hidden = true; return; }
    box.hidden = false;
    $("progress-bar").style.width = Math.round(done / total * 100) + "%";
    $("progress-text").textContent = t("progress", done, total);
  }

  function show(entry, open) {
    entry.node = fileNode(entry, open);
    results.appendChild(entry.node);
  }

  function localReason(file) {
    if (config.extensions.indexOf(extension(file.name)) < 0)
      return t("notExcel", config.extensions.join(t("sep")));
    if (file.size > config.max_file_bytes) return t("tooBig", mb(config.max_file_bytes));
    if (file.size === 0) return t("zero");
    return null;
  }

  function addFiles(list) {
    var files = Array.prototype.slice.call(list || []);
    if (!files.length) return;
    clearMessages();
    if (files.length > config.max_files) {
      say(t("tooMany", config.max_files, files.length));
      return;
    }
    var open = files.length <= 3;
    var fresh = files.map(function (file) {
      var reason = localReason(file);
      var entry = { file: file, sendable: !reason, result: null, node: null, open: open };
      if (reason) entry.result = { name: file.name, size: file.size, status: "unreadable", error: reason, forms: [] };
      entries.push(entry);
      return entry;
    });
    fresh.forEach(function (entry) { if (entry.result) show(entry, false); });
    queue.push.apply(queue, fresh.filter(function (e) { return e.sendable; }));
    renderSummary();
    pump();
  }

  function nextChunk() {
    var chunk = [], bytes = 0;
    while (queue.length && chunk.length < CHUNK_FILES) {
      var size = queue[0].file.size;
      if (chunk.length && bytes + size > CHUNK_BYTES) break;
      chunk.push(queue.shift());
      bytes += size;
    }
    return chunk;
  }

  async function pump() {
    if (busy) return;
    busy = true;
    drop.classList.add("busy");
    var total = queue.length, done = 0;
    try {
      while (queue.length) {
        progress(done, done + queue.length);
        var chunk = nextChunk();
        var body = new FormData();
        chunk.forEach(function (e) { body.append("files", e.file, e.file.name); });
        var answers = null, failure = null;
        try {
          var response = await fetch(api("/api/check"), { method: "POST", body: body });
          if (response.ok) answers = (await response.json()).files || [];
          else failure = await errorText(response);
        } catch (e) {
          failure = t("noServer");
        }
        if (failure) say(t("uploadFailed") + failure);
        chunk.forEach(function (entry, i) {
          var answer = answers && answers[i];
          entry.result = answer || { name: entry.file.name, size: entry.file.size, status: "unreadable",
            error: failure || t("noAnswer"), forms: [] };
          if (!answer) entry.sendable = false;
          show(entry, entry.open);
        });
        done += chunk.length;
        total = done + queue.length;
        progress(done, total);
        renderSummary();
      }
    } finally {
      busy = false;
      drop.classList.remove("busy");
      progress(0, 0);
    }
  }

  async function downloadBundle() {
    var sendable = entries.filter(function (e) { return e.sendable && e.result; });
    if (!sendable.length) return;
    var bytes = sendable.reduce(function (sum, e) { return sum + e.file.size; }, 0);
    clearMessages();
    if (sendable.length > config.max_files || bytes > config.max_request_bytes) {
      say(t("bundleTooBig", config.max_files, mb(config.max_request_bytes)));
      return;
    }
    var button = $("zip-button"), label = button.textContent;
    button.disabled = true;
    button.textContent = t("bundling", sendable.length);
    try {
      var body = new FormData();
      sendable.forEach(function (e) { body.append("files", e.file, e.file.name); });
      var response = await fetch(api("/api/bundle"), { method: "POST", body: body });
      if (!response.ok) { say(t("bundleFailed") + await errorText(response)); return; }
      var name = filenameFrom(response.headers.get("Content-Disposition"), t("zipName"));
      saveBlob(await response.blob(), name);
    } catch (e) {
      say(t("bundleFailed") + t("noServer"));
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  }

  function clearAll() {
    if (busy) return;
    entries = [];
    results.textContent = "";
    clearMessages();
    renderSummary();
  }

  /* ---------- wiring ---------- */

  input.addEventListener("change", function () {
    addFiles(input.files);
    input.value = "";
  });

  drop.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); }
  });

  var depth = 0;
  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return types && Array.prototype.indexOf.call(types, "Files") >= 0;
  }
  document.addEventListener("dragenter", function (event) {
    if (!hasFiles(event)) return;
    depth++;
    drop.classList.add("dragover");
  });
  document.addEventListener("dragleave", function () {
    depth = Math.max(0, depth - 1);
    if (!depth) drop.classList.remove("dragover");
  });
  document.addEventListener("dragover", function (event) {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", function (event) {
    event.preventDefault();   // a file dropped anywhere on the page is taken, never opened by the browser
    depth = 0;
    drop.classList.remove("dragover");
    if (event.dataTransfer && event.dataTransfer.files) addFiles(event.dataTransfer.files);
  });

  $("zip-button").addEventListener("click", downloadBundle);
  $("clear-button").addEventListener("click", clearAll);

  function describeLimits() {
    $("limits").textContent = t("limits", config.extensions.join(" / "), mb(config.max_file_bytes), config.max_files);
  }

  translatePage();
  describeLimits();
  $("template-year").value = config.year;
  fetch("/api/info").then(function (r) { return r.json(); }).then(function (info) {
    Object.keys(config).forEach(function (key) { if (info[key] !== undefined) config[key] = info[key]; });
    if (!$("template-year").dataset.touched) $("template-year").value = config.year;
    if (info.profile) $("top-note").textContent = t("local") + " · " + t("rules") +
      (info.default_profile ? t("defaultProfileAuto") : info.profile);
    describeLimits();
  }).catch(function () { /* keep the defaults */ });
  $("template-year").addEventListener("input", function () { this.dataset.touched = "1"; });

  window.selfevalPage = { entries: function () { return entries; }, busy: function () { return busy; },
    lang: function () { return LANG; } };
})();
