/* 一网统管 dashboards: draws the charts from the page's embedded JSON with the local ECharts
   and the local Guangdong GeoJSON. No network access beyond this site. */
(function () {
  "use strict";
  var script = document.currentScript;
  var staticPrefix = (script && script.getAttribute("data-static")) || "/static/";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function chart(id) {
    var node = document.getElementById(id);
    if (!node || typeof echarts === "undefined") return null;
    var instance = echarts.init(node);
    window.addEventListener("resize", function () { instance.resize(); });
    return instance;
  }

  function drawMap(d) {
    var map = chart("gov-map");
    if (!map) return;
    var max = 1;
    d.eventsByRegion.forEach(function (r) { if (r.value > max) max = r.value; });
    if (d.mapLevel !== "city") {
      // inside a city: no county boundaries locally, so a bar per county
      map.setOption({
        tooltip: {},
        grid: { left: 80, right: 20, top: 10, bottom: 30 },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: d.eventsByRegion.map(function (r) { return r.name; }) },
        series: [{ type: "bar", name: "城市事件", data: d.eventsByRegion.map(function (r) { return r.value; }) }]
      });
      document.getElementById("gov-map").setAttribute("data-drawn", "bar");
      return;
    }
    fetch(staticPrefix + d.geoUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (geo) {
        echarts.registerMap("guangdong", geo);
        map.setOption({
          tooltip: { trigger: "item", formatter: function (p) { return p.name + "：" + (p.value || 0) + " 件"; } },
          visualMap: { min: 0, max: max, left: "left", bottom: 10, text: ["多", "少"], calculable: true },
          series: [{
            type: "map", map: "guangdong", name: "城市事件", roam: false,
            label: { show: true, fontSize: 10 },
            data: d.eventsByRegion.map(function (r) { return { name: r.name, value: r.value, code: r.code }; })
          }]
        });
        map.on("click", function (p) {
          if (p.data && p.data.code) window.location.href = d.cityUrl.replace("000000", p.data.code);
        });
        document.getElementById("gov-map").setAttribute("data-drawn", "map");
      });
  }

  function drawCases(d) {
    var cases = chart("gov-cases");
    if (!cases) return;
    cases.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: d.casesPerDay.map(function (p) { return p[0].slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", name: "办件量", data: d.casesPerDay.map(function (p) { return p[1]; }) }]
    });
    document.getElementById("gov-cases").setAttribute("data-drawn", "line");
  }

  function drawHistory(h) {
    var history = chart("gov-history");
    if (!history) return;
    history.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: h.history.map(function (p) { return p[0].slice(5); }) },
      yAxis: { type: "value", name: h.unit },
      series: [{ type: "line", name: "值", connectNulls: false, data: h.history.map(function (p) { return p[1]; }) }]
    });
    document.getElementById("gov-history").setAttribute("data-drawn", "line");
  }

  var picker = document.getElementById("city-select");
  if (picker) {
    picker.addEventListener("change", function () {
      window.location.href = picker.form.getAttribute("action") + "city/" + picker.value + "/";
    });
  }

  var d = data("governance-data");
  if (d) { drawMap(d); drawCases(d); }
  var h = data("governance-history");
  if (h) drawHistory(h);
})();
