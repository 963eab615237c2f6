/* 开放广东: usage charts (views and downloads per day; a key's calls per day) drawn with the
   local ECharts from the page's embedded JSON. The tables beside them carry the same data. */
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(nodeId, days, series) {
    var node = document.getElementById(nodeId);
    if (!node || typeof echarts === "undefined") return;
    var chart = echarts.init(node);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: series.map(function (s) { return s.name; }) },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: days.map(function (d) { return d.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: series.map(function (s) {
        return { name: s.name, type: "line", showSymbol: false, data: s.data };
      })
    });
    node.setAttribute("data-drawn", "line");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var usage = data("od-usage-data");
  if (usage) {
    draw("od-usage-chart", usage.days, [
      { name: "浏览", data: usage.views },
      { name: "下载", data: usage.downloads },
      { name: "接口调用", data: usage.apiCalls }
    ]);
  }
  var key = data("od-key-data");
  if (key) {
    draw("od-key-chart", key.days, [
      { name: "调用", data: key.calls },
      { name: "超限拒绝", data: key.refused }
    ]);
  }
})();
