/* Shu-Talas Atlas map controls (MIT). atlasControls.init(map, D) gives folium's plugins (leaflet-minimap,
   leaflet-measure, leaflet-search, leaflet.locatecontrol) the page's language as their defaults and a
   location error that is a message on the map, never a dialog; atlasControls.minimap and .search are
   called by the atlas's folium elements. Strings from data reach the screen with textContent only. */
window.atlasControls = (function () {
  'use strict';
  var D = null;

  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (txt !== undefined && txt !== null) { e.textContent = String(txt); }
    return e;
  }
  function escaped(text) { return el('span', null, text).innerHTML; }  // for the plugins that take HTML

  // a short message on the map (role=status) that goes by itself
  var noticeTimer = null;
  function notice(map, text) {
    var box = map.getContainer().querySelector('.atlas-notice');
    if (!box) {
      box = el('div', 'atlas-notice');
      box.setAttribute('role', 'status');
      map.getContainer().appendChild(box);
    }
    box.textContent = text;
    box.style.display = '';
    window.clearTimeout(noticeTimer);
    noticeTimer = window.setTimeout(function () { box.style.display = 'none'; }, 8000);
    return box;
  }

  // leaflet-measure 2.1.7 keeps its string tables in a closure and has none in Kazakh: a probe that
  // is read once (a getter on Object.prototype, removed at once) hands over that table object, and
  // the page's strings are added to it as the locale "atlas".
  var MEASURE_KEYS = {
    measure: 'measure', measureDistancesAndAreas: 'measure_title', createNewMeasurement: 'measure_new',
    startCreating: 'measure_start', finishMeasurement: 'measure_finish', lastPoint: 'measure_last_point',
    area: 'measure_area', perimeter: 'measure_perimeter', pointLocation: 'measure_point',
    areaMeasurement: 'measure_area_title', linearMeasurement: 'measure_line_title',
    pathDistance: 'measure_distance', centerOnArea: 'measure_centre_area', centerOnLine: 'measure_centre_line',
    centerOnLocation: 'measure_centre_point', cancel: 'measure_cancel', 'delete': 'measure_delete',
    meters: 'm', kilometers: 'km', hectares: 'ha', sqmeters: 'sq_m'
  };
  function measureLocale(ui) {
    var Measure = L.Control.Measure, probe = '__atlasMeasureLocales', tables = null;
    Object.defineProperty(Object.prototype, probe, {
      configurable: true, enumerable: false, get: function () { tables = this; return undefined; }
    });
    try { new Measure({ localization: probe }); } finally { delete Object.prototype[probe]; }
    if (!tables) { return false; }
    var table = { decPoint: '.', thousandsSep: '\u202f' };
    Object.keys(MEASURE_KEYS).forEach(function (k) { table[k] = escaped(ui[MEASURE_KEYS[k]]); });
    tables.atlas = table;
    Measure.prototype.options.localization = 'atlas';
    // the coordinates' hemispheres (N, S, E, W) in the page's language
    var hemi = { N: ui.lat_north, S: ui.lat_south, E: ui.lon_east, W: ui.lon_west };
    function hemispheres(root) {
      if (!root) { return; }
      var walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), node;
      while ((node = walk.nextNode())) {
        node.nodeValue = node.nodeValue.replace(/(\d"\s)([NSEW])(\s*)$/, function (m, a, h, b) { return a + hemi[h] + b; });
      }
    }
    var update = Measure.prototype._updateResults, finish = Measure.prototype._handleMeasureDoubleClick;
    Measure.include({
      _updateResults: function () { update.apply(this, arguments); hemispheres(this.$results); },
      _handleMeasureDoubleClick: function () {
        finish.apply(this, arguments);
        var done = this._layer.getLayers(), last = done[done.length - 1];
        if (last && last.getPopup()) { hemispheres(last.getPopup().getContent()); }
      }
    });
    return true;
  }

  function locateDefaults(map, ui) {
    var o = L.Control.Locate.prototype.options;
    o.strings = { title: ui.locate_title, metersUnit: ui.m, feetUnit: ui.m, popup: escaped(ui.locate_popup).replace('{0}', '{distance}').replace('{1}', '{unit}'),
                  outsideMapBoundsMsg: ui.locate_outside };
    o.onLocationError = function (err) {
      notice(map, err && err.code === 1 ? ui.locate_denied : ui.locate_unavailable);
    };
    o.onLocationOutsideMapBounds = function (control) {
      control.stop();
      notice(map, ui.locate_outside);
    };
    o.icon = 'atlas-locate-icon';
    o.iconLoading = 'atlas-locate-icon atlas-locating';
  }

  function init(map, data) {
    D = data;
    var ui = D.ui;
    if (L.Control.MiniMap) {
      L.Control.MiniMap.prototype.options.strings = { hideText: ui.minimap_hide, showText: ui.minimap_show };
    }
    if (L.Control.Measure) { measureLocale(ui); }
    if (L.Control.Locate) { locateDefaults(map, ui); }
    if (L.Control.Search) {
      L.extend(L.Control.Search.prototype.options, { textPlaceholder: ui.search_placeholder,
        textErr: escaped(ui.search_not_found), textCancel: ui.search_clear });
    }
  }

  // the overview map: the page's own hillshade (its base raster overlay, a data: URI), no tiles; on a
  // phone or tablet there is no room for it
  function minimap(map, options) {
    if (window.innerWidth < 900 || !L.Control.MiniMap) { return null; }
    var spec = null;
    D.layers.forEach(function (s) { if (!spec && s.kind === 'raster' && s.pane === 'atlas-base-raster') { spec = s; } });
    if (!spec) { return null; }
    var base = L.imageOverlay(spec.url, spec.bounds, { opacity: 0.85, interactive: false });
    var control = new L.Control.MiniMap(base, options).addTo(map);
    window.__atlas.minimap = control;
    return control;
  }

  // search over the names the payload carries for the base layers' features (every language)
  var FOLD = { 'ё': 'е', 'ә': 'а', 'ғ': 'г', 'қ': 'к', 'ң': 'н', 'ө': 'о', 'ұ': 'у', 'ү': 'у', 'һ': 'х', 'і': 'и', 'й': 'и' };
  function fold(s) {
    return String(s).toLowerCase().replace(/[ёәғқңөұүһій]/g, function (c) { return FOLD[c]; })
      .replace(/[\s\u00a0\u202f\-‐–—,.]+/g, ' ').trim();
  }
  function searchRecords() {
    var records = {}, order = [];
    D.layers.forEach(function (spec) {
      if (!spec.search) { return; }
      spec.data.features.forEach(function (f, i) {
        var names = spec.search[i];
        if (!names || !names.length) { return; }
        var shape = L.geoJSON(f), bounds = shape.getBounds();
        var point = f.geometry.type === 'Point';
        var centre = point ? L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]) : bounds.getCenter();
        names.forEach(function (name) {
          var key = name, k = 2;
          var prior = records[key];
          if (prior && prior.distanceTo(centre) < 5000) { return; }  // the same place in another layer
          if (prior) { key = name + ' (' + spec.title + ')'; }
          while (records[key]) { key = name + ' (' + spec.title + ', ' + k + ')'; k += 1; }
          var loc = L.latLng(centre.lat, centre.lng);
          loc.atlas = { feature: f, bounds: point ? null : bounds, name: names[0], kind: spec.title, layer: spec.id };
          records[key] = loc;
          order.push(key);
        });
      });
    });
    return { records: records, order: order };
  }

  function search(map, options) {
    if (!L.Control.Search) { return null; }
    var index = searchRecords(), highlight = L.layerGroup().addTo(map), clearTimer = null;
    var control = new L.Control.Search(L.extend({
      sourceData: function (text, callResponse) { callResponse(index.order); return null; },
      formatData: function () { return index.records; },
      filterData: function (text, records) {
        var q = fold(text), exact = [], starts = [], inside = [], out = {};
        if (!q) { return out; }
        index.order.forEach(function (key) {  // the name itself, then names starting so, then the rest
          var f = fold(key), at = f.indexOf(q);
          if (f === q) { exact.push(key); } else if (at === 0) { starts.push(key); } else if (at > 0) { inside.push(key); }
        });
        exact.concat(starts, inside).forEach(function (key) { out[key] = records[key]; });
        return out;
      },
      buildTip: function (text, loc) {
        var tip = el('li', 'atlas-search-tip'), a = loc.atlas;
        tip.appendChild(el('span', null, text));
        if (a.name !== text && text.indexOf(a.name) !== 0) { tip.appendChild(el('span', 'atlas-search-alt', ' · ' + a.name)); }
        tip.appendChild(el('span', 'atlas-search-kind', a.kind));
        return tip;
      },
      moveToLocation: function (loc, title, m) {
        var a = loc.atlas;
        if (a.bounds) { m.fitBounds(a.bounds, { padding: [40, 40], maxZoom: 15 }); } else { m.setView(loc, Math.max(m.getZoom(), 13)); }
        highlight.clearLayers();
        L.geoJSON(a.feature, {
          interactive: false, pane: 'atlas-labels',
          style: function () { return { color: '#d7301f', weight: 4, opacity: 0.95, fill: false }; },
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, { radius: 13, color: '#d7301f', weight: 4, fill: false, interactive: false, pane: 'atlas-labels' });
          }
        }).addTo(highlight);
        window.clearTimeout(clearTimer);
        clearTimer = window.setTimeout(function () { highlight.clearLayers(); }, 10000);
        window.__atlas.found = { text: title, name: a.name, layer: a.layer };
      },
      marker: false, initial: false, autoType: false, tipAutoSubmit: true, firstTipSubmit: true,
      autoCollapse: false, tooltipLimit: 12, minLength: 2, delayType: 150,
      textPlaceholder: D.ui.search_placeholder, textErr: escaped(D.ui.search_not_found), textCancel: D.ui.search_clear
    }, options || {}));
    control.addTo(map);
    window.__atlas.search = control;
    return control;
  }

  return { init: init, minimap: minimap, search: search, notice: notice, fold: fold };
})();
