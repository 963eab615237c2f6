/* 城市事件 maps: Leaflet with Guangdong's local GeoJSON as the base layer (no tile server).
   #report-map[data-pick]: a click (or the browser's geolocation) fills #r-lng / #r-lat.
   #grid-map[data-grids]: draws the grids over the province. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  function baseMap(element) {
    var map = L.map(element, { zoomControl: true, attributionControl: false });
    map.setView([23.13, 113.27], 8);
    fetch(element.dataset.geo, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (geo) {
        map.invalidateSize(); // the box may have been laid out after the map was made
        var layer = L.geoJSON(geo, {
          style: { color: "#2f6f9f", weight: 1, fillColor: "#dbe9f4", fillOpacity: 0.6 },
          onEachFeature: function (feature, shape) {
            shape.bindTooltip(feature.properties.name, { sticky: true });
          }
        }).addTo(map);
        if (!element.dataset.grids) { map.fitBounds(layer.getBounds()); }
        element.dataset.ready = "1";
      });
    return map;
  }

  function setPoint(map, state, lng, lat, note) {
    var lngInput = document.getElementById("r-lng");
    var latInput = document.getElementById("r-lat");
    lngInput.value = lng.toFixed(6);
    latInput.value = lat.toFixed(6);
    if (state.marker) { state.marker.setLatLng([lat, lng]); }
    else { state.marker = L.marker([lat, lng], { keyboard: false }).addTo(map); }
    var status = document.getElementById("location-status");
    if (status) { status.textContent = note + "：经度 " + lngInput.value + "，纬度 " + latInput.value; }
  }

  var picker = document.getElementById("report-map");
  if (picker) {
    var map = baseMap(picker);
    picker.leafletMap = map; // for tests and page scripts that centre the map
    var state = {};
    map.on("click", function (event) {
      setPoint(map, state, event.latlng.lng, event.latlng.lat, "已在地图上选择位置");
    });
    var button = document.getElementById("use-location");
    if (button) {
      button.addEventListener("click", function () {
        var status = document.getElementById("location-status");
        if (!navigator.geolocation) { status.textContent = "浏览器不支持定位，请在地图上点击选择。"; return; }
        status.textContent = "正在定位……";
        navigator.geolocation.getCurrentPosition(function (position) {
          setPoint(map, state, position.coords.longitude, position.coords.latitude, "已使用当前位置");
          map.setView([position.coords.latitude, position.coords.longitude], 14);
        }, function () { status.textContent = "定位失败，请在地图上点击选择位置。"; }, { timeout: 10000 });
      });
    }
  }

  var gridMap = document.getElementById("grid-map");
  if (gridMap) {
    var overview = baseMap(gridMap);
    fetch(gridMap.dataset.grids, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (grids) {
        var layer = L.geoJSON(grids, {
          style: { color: "#b23a48", weight: 1, fillOpacity: 0.25 },
          onEachFeature: function (feature, shape) {
            shape.bindTooltip(feature.properties.name + "（" + feature.properties.code + "）");
          }
        }).addTo(overview);
        if (grids.features.length) { overview.fitBounds(layer.getBounds()); }
      });
  }
})();
