/* Draws the ECharts on a monitoring page from the JSON the view passes through json_script (CSP: no inline JS). */
(function () {
  "use strict";
  var holder = document.getElementById("chart-data");
  if (!holder || typeof echarts === "undefined") { return; }
  var charts = JSON.parse(holder.textContent);
  Object.keys(charts).forEach(function (key) {
    var el = document.querySelector('[data-chart="' + key + '"]');
    if (!el) { return; }
    var spec = charts[key];
    var option;
    if (spec.type === "pie") {
      option = {
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [{ type: "pie", radius: "60%", data: spec.data }]
      };
    } else {
      option = {
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        grid: { left: 60, right: 20, top: 30, bottom: 60 },
        xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.rotate || 0 } },
        yAxis: { type: "value" },
        series: spec.series.map(function (s) {
          return { name: s.name, type: spec.type || "bar", data: s.data, stack: spec.stack ? "all" : undefined };
        })
      };
    }
    var chart = echarts.init(el);
    chart.setOption(option);
    if (spec.links) {
      chart.on("click", function (params) {
        var url = spec.links[params.name];
        if (url) { window.location.href = url; }
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
