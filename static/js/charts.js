/*
 * Draws every [data-chart] and [data-choropleth] element with Apache ECharts
 * (static/vendor/echarts). The data comes from a json_script block named by the
 * attribute (CSP: no inline script). Numbers are written with Intl.NumberFormat in the
 * page's language (Persian digits in fa).
 *
 * [data-chart="id"]       {"label", "x": [...], "y": [...], "kind": "line"|"bar"}
 *                         On a narrow screen (a phone) the month labels are level, the month
 *                         over its year, as many as fit without overlapping, and the values
 *                         are written short (۱۲ هزار).
 * [data-choropleth="id"]  {"label", "values": {"IR-25": 12}, "links": {"IR-25": "/url"}}
 *                         plus data-geo="<url of the provinces GeoJSON>" (feature.properties.code)
 */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "fa";
  var rtl = document.documentElement.dir === "rtl";
  var locale = lang === "fa" ? "fa-IR" : lang;
  var fmt = new Intl.NumberFormat(locale);
  var short = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
  var NARROW = 576; // px: Bootstrap's "sm", below which a chart is on a phone
  var font = "Vazirmatn, sans-serif";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function number(v) {
    return v === null || v === undefined ? "—" : fmt.format(v);
  }

  function size(el, height) {
    el.style.height = height + "px";
    el.style.width = "100%";
  }

  function chartOption(d, width) {
    var narrow = width < NARROW;
    return {
      textStyle: { fontFamily: font },
      tooltip: { trigger: "axis", valueFormatter: number },
      grid: narrow
        ? { left: 8, right: 8, top: 20, bottom: 8, containLabel: true }
        : { left: 60, right: 60, top: 20, bottom: 60 },
      xAxis: {
        type: "category", data: d.x, inverse: rtl,
        axisLabel: narrow
          ? { rotate: 0, hideOverlap: true, fontSize: 10, lineHeight: 13,
              // "آذر ۱۴۰۴" on two lines: the month over its year.
              formatter: function (v) { return String(v).replace(" ", "\n"); } }
          : { rotate: 45, hideOverlap: true },
      },
      yAxis: {
        type: "value", minInterval: 1, position: rtl ? "right" : "left",
        splitNumber: narrow ? 3 : 5,
        axisLabel: { formatter: narrow ? function (v) { return short.format(v); } : number,
                     fontSize: narrow ? 10 : 12 },
      },
      series: [{ name: d.label, type: d.kind === "bar" ? "bar" : "line", data: d.y, smooth: false }],
    };
  }

  function drawChart(el) {
    var d = data(el.dataset.chart);
    if (!d) return;
    size(el, 300);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var narrow = el.clientWidth < NARROW;
    chart.setOption(chartOption(d, el.clientWidth));
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () {
      chart.resize();
      if ((el.clientWidth < NARROW) !== narrow) {
        narrow = el.clientWidth < NARROW;
        chart.setOption(chartOption(d, el.clientWidth));
      }
    });
  }

  function drawMap(el) {
    var d = data(el.dataset.choropleth);
    if (!d) return;
    size(el, 420);
    fetch(el.dataset.geo).then(function (r) { return r.json(); }).then(function (geo) {
      var names = {};
      geo.features.forEach(function (f) {
        f.properties.name = f.properties.code;
        names[f.properties.code] = lang === "fa" ? f.properties.name_fa : f.properties.name_en;
      });
      window.echarts.registerMap("iran-provinces", geo);
      var values = Object.keys(d.values).filter(function (k) { return d.values[k] !== null; })
        .map(function (k) { return d.values[k]; });
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        textStyle: { fontFamily: font },
        tooltip: {
          trigger: "item",
          formatter: function (p) { return names[p.name] + ": " + number(d.values[p.name]); },
        },
        visualMap: {
          min: values.length ? Math.min.apply(null, values) : 0,
          max: values.length ? Math.max.apply(null, values) : 1,
          // At the reading side's edge, its numbers on the map's side (not cut off by the edge).
          left: rtl ? null : 8, right: rtl ? 8 : null, align: rtl ? "left" : "right",
          calculable: true, formatter: number,
          inRange: { color: ["#e0f3f8", "#4575b4"] },
        },
        series: [{
          name: d.label, type: "map", map: "iran-provinces", roam: false,
          data: Object.keys(d.values).map(function (k) { return { name: k, value: d.values[k] }; }),
          label: { show: false },
        }],
      });
      chart.on("click", function (p) {
        var link = d.links && d.links[p.name];
        if (link) window.location.href = link;
      });
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function drawAll() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(drawChart);
    document.querySelectorAll("[data-choropleth]").forEach(drawMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
