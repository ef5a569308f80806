/* yigai 医改监测评价平台 — draws the ECharts charts from the pages' JSON data islands.
 *
 * A page puts <script type="application/json" id="chart-x">{"kind": …}</script> and
 * <div class="chart" data-chart="chart-x"></div>; this script reads the JSON (never runs it)
 * and draws one chart per kind: status (pie), ranking (bars), trend (series, target, path,
 * projection). Charts are drawn again after an HTMX swap. Nothing is loaded from outside.
 */
(function () {
  "use strict";

  function read(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function fmt(v, unit) {
    if (v === null || v === undefined) { return "—"; }
    return (Math.round(v * 100) / 100) + (unit || "");
  }

  var builders = {
    status: function (d) {
      return {
        tooltip: { trigger: "item", formatter: "{b}：{c}项（{d}%）" },
        legend: { bottom: 0 },
        series: [{
          type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"], avoidLabelOverlap: true,
          label: { formatter: "{b}\n{c}项" },
          data: d.data.filter(function (x) { return x.value > 0; }).map(function (x) {
            return { name: x.name, value: x.value, itemStyle: { color: x.color } };
          })
        }]
      };
    },
    ranking: function (d) {
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { data: ["排名得分", "按时报送率(%)"], bottom: 0 },
        grid: { left: 8, right: 24, top: 10, bottom: 40, containLabel: true },
        xAxis: { type: "value", max: 100 },
        yAxis: { type: "category", inverse: true, data: d.names },
        series: [
          { name: "排名得分", type: "bar", data: d.scores, itemStyle: { color: "#a31f24" }, label: { show: true, position: "right" } },
          { name: "按时报送率(%)", type: "bar", data: d.onTime, itemStyle: { color: "#90a4ae" } }
        ]
      };
    },
    trend: function (d) {
      var series = [{
        name: "实际值", type: "line", symbolSize: 7, data: d.observed.map(function (o) { return [o[0], o[1]]; }),
        itemStyle: { color: "#1565c0" }, label: { show: true, formatter: function (p) { return fmt(p.value[1]); } }
      }];
      if (d.path.length) {
        series.push({ name: "序时路径", type: "line", data: d.path, symbol: "none",
          lineStyle: { type: "dotted", color: "#607d8b" }, itemStyle: { color: "#607d8b" } });
      }
      if (d.projection.length) {
        series.push({ name: "趋势预测", type: "line", data: d.projection, symbol: "emptyCircle",
          lineStyle: { type: "dashed", color: "#ef6c00" }, itemStyle: { color: "#ef6c00" } });
      }
      var xs = d.observed.map(function (o) { return o[0]; }).concat(d.path.map(function (p) { return p[0]; }),
        d.projection.map(function (p) { return p[0]; }), d.due ? [d.due] : []).sort();
      if (d.target !== null && xs.length) {
        var span = [xs[0], xs[xs.length - 1]];
        series.push({ name: "目标值", type: "line", symbol: "none", data: [[span[0], d.target], [span[1], d.target]],
          lineStyle: { color: "#c62828" }, itemStyle: { color: "#c62828" },
          endLabel: { show: true, formatter: "目标 " + (d.targetText || fmt(d.target, d.unit)), color: "#c62828" } });
        if (d.targetHigh !== null) {
          series.push({ name: "目标上限", type: "line", symbol: "none", data: [[span[0], d.targetHigh], [span[1], d.targetHigh]],
            lineStyle: { color: "#c62828", type: "dashed" }, itemStyle: { color: "#c62828" } });
        }
      }
      if (d.due) {
        series[0].markLine = { symbol: "none", lineStyle: { color: "#9e9e9e", type: "dashed" },
          label: { formatter: "完成时限" }, data: [{ xAxis: d.due }] };
      }
      return {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt(v, d.unit); } },
        legend: { bottom: 0 },
        grid: { left: 8, right: 90, top: 24, bottom: 40, containLabel: true },
        xAxis: { type: "time" },
        yAxis: { type: "value", scale: true, name: d.unit },
        series: series
      };
    }
  };

  function draw(root) {
    if (typeof echarts === "undefined") { return; }
    var nodes = (root || document).querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(nodes, function (node) {
      var data = read(node.getAttribute("data-chart"));
      if (!data || !builders[data.kind]) { return; }
      var chart = echarts.getInstanceByDom(node) || echarts.init(node, null, { renderer: "svg" });
      var option = builders[data.kind](data);
      option.animation = false;
      chart.setOption(option, true);
    });
  }

  window.addEventListener("resize", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (node) {
      var chart = typeof echarts !== "undefined" && echarts.getInstanceByDom(node);
      if (chart) { chart.resize(); }
    });
  });
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (e) { draw(e.target); });

  /* Assigning departments to many items at once (review page, plan page): ticking, "select all
   * without a lead", the count, and department names picked one by one from the registry's
   * datalist into removable chips (the field posts them joined with 、). Without this script
   * the boxes are ticked by hand and the names typed with 、 between them. */
  function each(nodes, fn) { Array.prototype.forEach.call(nodes, fn); }

  function boxes(formId) {
    return document.querySelectorAll('input[type=checkbox][name="items"][form="' + formId + '"]');
  }

  function count(formId) {
    var n = 0;
    each(boxes(formId), function (cb) { if (cb.checked) { n += 1; } });
    each(document.querySelectorAll('[data-count="' + formId + '"]'), function (el) {
      el.textContent = n ? "（" + n + " 项）" : "";
    });
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-select]") : null;
    if (!button) { return; }
    var formId = button.getAttribute("data-form"), what = button.getAttribute("data-select");
    each(boxes(formId), function (cb) {
      if (what === "none") { cb.checked = false; } else if (what === "all" || cb.hasAttribute("data-unassigned")) { cb.checked = true; }
    });
    count(formId);
  });

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.type === "checkbox" && t.name === "items" && t.getAttribute("form")) { count(t.getAttribute("form")); }
  });

  function names(text) {
    return text.split(/[、,，;；\n]/).map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function chips(input) {
    if (input.hasAttribute("data-chips-ready")) { return; }
    input.setAttribute("data-chips-ready", "1");
    var hidden = document.createElement("input"), box = document.createElement("span");
    hidden.type = "hidden";
    hidden.name = input.name;
    input.removeAttribute("name");
    box.className = "name-chips";
    input.parentNode.insertBefore(hidden, input);
    input.parentNode.insertBefore(box, input);
    var chosen = names(input.value);
    input.value = "";
    input.placeholder = "从名录选择，或输入名称后按回车";
    var list = input.list;

    function render() {
      hidden.value = chosen.join("、");
      box.textContent = "";
      chosen.forEach(function (name, i) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "name-chip";
        b.textContent = name + " ×";
        b.title = "移除 " + name;
        b.addEventListener("click", function () { chosen.splice(i, 1); render(); input.focus(); });
        box.appendChild(b);
      });
    }
    function take() {
      names(input.value).forEach(function (n) { if (chosen.indexOf(n) < 0) { chosen.push(n); } });
      input.value = "";
      render();
    }
    function isOption(value) {
      if (!list) { return false; }
      for (var i = 0; i < list.options.length; i += 1) { if (list.options[i].value === value) { return true; } }
      return false;
    }
    input.addEventListener("input", function (e) {
      var typing = e.inputType && (e.inputType.indexOf("insert") === 0 && e.inputType !== "insertReplacementText"
        || e.inputType.indexOf("delete") === 0);
      if (/[、,，;；]$/.test(input.value) || (!typing && isOption(input.value))) { take(); }
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.isComposing) { e.preventDefault(); take(); }
    });
    input.addEventListener("change", take);
    if (input.form) { input.form.addEventListener("submit", take); }
    render();
  }

  function ready(root) {
    each((root || document).querySelectorAll("input[data-chips]"), chips);
    each((root || document).querySelectorAll("[data-count]"), function (el) { count(el.getAttribute("data-count")); });
  }
  document.addEventListener("DOMContentLoaded", function () { ready(document); });
  document.addEventListener("htmx:afterSwap", function (e) { ready(e.target); });
})();
