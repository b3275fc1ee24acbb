/* Shu-Talas Atlas index: the overview map (MIT). Reads #atlas-overview-data; text from data is set with textContent only. */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('atlas-overview-data').textContent);
  function tip(text) { var s = document.createElement('span'); s.textContent = text; return s; }
  var map = L.map('atlas-overview', { zoomSnap: 0.25, attributionControl: false, scrollWheelZoom: false,
                                      zoomControl: false });  // an overview: each box opens its map
  map.fitBounds(D.bounds, { padding: [10, 10] });  // a view before any layer
  if (D.outline) {
    L.geoJSON(D.outline, { style: { color: '#252525', weight: 2, fill: false }, interactive: false }).addTo(map);
  }
  var colours = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02'];
  D.themes.forEach(function (t, i) {
    var r = L.rectangle(t.box, { color: colours[i % colours.length], weight: 2, fillOpacity: 0.08 }).addTo(map);
    r.bindTooltip(tip(t.title), { sticky: true });
    r.on('click', function () { window.location.href = t.href; });  // a map of the atlas, checked in Python
  });
  D.towns.forEach(function (t) {
    L.circleMarker([t[1], t[2]], { radius: 5, color: '#000', weight: 1, fillColor: '#525252', fillOpacity: 0.9 })
      .bindTooltip(tip(t[0]), { permanent: true, direction: 'right', className: 'atlas-overview-label' }).addTo(map);
  });
  window.__overview = map;
})();
