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
    var narrow = el.clientWidth < 480;
    function allIntegers() {
      return spec.integer || (spec.series || []).every(function (s) {
        return s.data.every(function (v) { return v === null || Math.round(v) === v; });
      });
    }
    if (spec.type === "pie") {
      option = {
        tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
        legend: { bottom: 0, type: "scroll" },
        series: [{
          type: "pie", radius: narrow ? "45%" : "55%", data: spec.data,
          // labels inside the slices: outside ones are cut off in a narrow card
          label: { show: true, position: spec.data.length <= 4 ? "inside" : "outer", formatter: "{b}\n{c}（{d}%）",
                   color: spec.data.length <= 4 ? "#fff" : "#333" }
        }]
      };
    } else {
      var valueAxis = { type: "value", minInterval: allIntegers() ? 1 : 0 };
      // Long category names (industries, KPI indicators) go on a vertical axis, where they do not overlap.
      var categoryAxis = {
        type: "category", data: spec.categories,
        axisLabel: spec.horizontal
          ? { width: narrow ? 90 : 220, overflow: "truncate", interval: 0 }
          : { interval: 0, hideOverlap: true, rotate: narrow && spec.categories.length > 4 ? 30 : 0 }
      };
      if (spec.horizontal) { categoryAxis.inverse = true; }
      option = {
        tooltip: { trigger: "axis" },
        legend: { bottom: 0, type: "scroll" },
        grid: { left: 10, right: 20, top: 20, bottom: 40, containLabel: true },
        xAxis: spec.horizontal ? valueAxis : categoryAxis,
        yAxis: spec.horizontal ? categoryAxis : valueAxis,
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
