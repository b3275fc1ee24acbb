/* Shu-Talas Atlas map page (MIT). atlasMap(map, D) dresses a Leaflet map (the folium map of the
   page) with the atlas's layers, panels and legends from the payload D; strings from data are set
   with textContent only. */
window.atlasMap = function (map, D) {
  'use strict';
  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (txt !== undefined && txt !== null) { e.textContent = String(txt); }
    return e;
  }
  document.title = D.title;
  var head = document.getElementById('atlas-title');
  head.appendChild(el('h1', null, D.title));
  if (D.subtitle) { head.appendChild(el('div', 'atlas-subtitle', D.subtitle)); }
  var tools = el('div', 'atlas-places');
  var printBtn = el('button', 'atlas-print', D.ui.print);
  printBtn.type = 'button';
  printBtn.addEventListener('click', function () { window.print(); });
  tools.appendChild(printBtn);
  if (D.sheet) {
    var sheet = el('a', 'atlas-sheet-link', D.ui.map_sheet + ' (PNG)');
    sheet.href = D.sheet;  // a file of the atlas, checked in Python
    tools.appendChild(sheet);
  }
  head.appendChild(tools);
  function padding() {
    var wide = window.innerWidth > 900;
    return { paddingTopLeft: [wide ? 20 : 10, wide ? 70 : 90], paddingBottomRight: [wide ? 360 : 10, wide ? 10 : 110] };
  }

  L.Control.Scale.include({
    _updateScale: function (scale, text, ratio) {
      scale.style.width = Math.round(this.options.maxWidth * ratio) + 'px';
      scale.textContent = text.replace(/ km$/, ' ' + D.ui.km).replace(/ m$/, ' ' + D.ui.m);
    }
  });

  map.attributionControl.setPrefix('Leaflet');
  if (D.credits && window.innerWidth >= 900) {
    // the attributions the licences require, as text (Leaflet takes HTML: escape it); on a
    // phone they are in the notes panel, where they do not cover the map
    var esc = el('span', null, D.credits);
    map.attributionControl.addAttribution(esc.innerHTML);
  }
  L.control.zoom({ zoomInTitle: D.ui.zoom_in, zoomOutTitle: D.ui.zoom_out }).addTo(map);
  if (L.control.fullscreen) {
    L.control.fullscreen({ position: 'topleft', title: D.ui.fullscreen, titleCancel: D.ui.exit_fullscreen,
                           forceSeparateButton: true }).addTo(map);
  }
  L.control.scale({ imperial: false, maxWidth: 160 }).addTo(map);
  D.panes.forEach(function (p) {
    var pane = map.createPane(p[0]);
    pane.style.zIndex = String(p[1]);
    if (p[2]) { pane.style.pointerEvents = 'none'; }
  });

  function pathStyle(s, colour, gtype) {
    if (gtype === 'LineString' || gtype === 'MultiLineString') {
      return { color: colour, weight: s.width, opacity: 0.95, dashArray: s.dash, fill: false };
    }
    if (gtype === 'Point' || gtype === 'MultiPoint') {
      return { color: s.outline, weight: 1, opacity: 1, fillColor: colour, fillOpacity: s.fill_opacity,
               radius: s.radius, fill: true };
    }
    return { color: s.outline, weight: s.width, opacity: 1, dashArray: s.dash, fill: s.fill,
             fillColor: colour, fillOpacity: s.fill ? s.fill_opacity : 0 };
  }

  function tooltipEl(spec, f) {
    var p = f.properties, box = el('div', 'atlas-tooltip');
    box.appendChild(el('b', null, spec.title));
    var v = (p.l !== undefined && p.l !== null) ? p.l : (p.v && p.v.length ? p.v[0] : null);
    if (v !== null) { box.appendChild(el('div', null, v)); }
    return box;
  }

  function popupEl(spec, f) {
    var p = f.properties, box = el('div', 'atlas-popup');
    box.appendChild(el('div', 'atlas-popup-title', spec.title));
    if (p.l !== undefined && p.l !== null) { box.appendChild(el('div', 'atlas-popup-name', p.l)); }
    if (spec.fields.length) {
      var t = el('table');
      spec.fields.forEach(function (alias, i) {
        var tr = el('tr');
        tr.appendChild(el('th', null, alias));
        tr.appendChild(el('td', null, p.v[i]));
        t.appendChild(tr);
      });
      box.appendChild(t);
    }
    if (p.h) {
      // toolkit-made chart, checked against an SVG allow-list in Python
      var c = el('div', 'atlas-chart');
      c.innerHTML = p.h;
      box.appendChild(c);
    }
    if (spec.synthetic || p.s) {
      var note = p.n || spec.note;
      box.appendChild(el('div', 'atlas-synthetic', D.ui.synthetic_note + (note ? ' (' + note + ')' : '')));
    }
    if (spec.source) { box.appendChild(el('div', 'atlas-source', D.ui.source + ': ' + spec.source)); }
    return box;
  }

  var layers = {}, labels = {}, specs = {}, labelOrder = [];
  D.layers.forEach(function (spec) {
    specs[spec.id] = spec;
    var lyr;
    if (spec.kind === 'raster') {
      lyr = L.imageOverlay(spec.url, spec.bounds, { opacity: spec.opacity, pane: spec.pane, interactive: false,
                                                   className: spec.pixelated ? 'atlas-pixelated' : '' });
    } else if (spec.kind === 'tiles') {
      lyr = L.tileLayer(spec.url, { attribution: spec.attribution, maxZoom: 19 });
    } else {
      lyr = L.geoJSON(spec.data, {
        pane: spec.pane,
        style: function (f) { return pathStyle(spec.style, spec.palette[f.properties.k], f.geometry.type); },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, L.extend({ pane: spec.pane }, pathStyle(spec.style, spec.palette[f.properties.k], 'Point')));
        },
        onEachFeature: function (f, l) {
          l.bindTooltip(function () { return tooltipEl(spec, f); }, { sticky: f.geometry.type !== 'Point' });
          l.bindPopup(function () { return popupEl(spec, f); }, {
            maxWidth: Math.min(380, window.innerWidth - 50),
            maxHeight: Math.max(160, Math.round(window.innerHeight * 0.5)),
            autoPanPaddingTopLeft: [20, 90], autoPanPaddingBottomRight: [20, 20]
          });
        }
      });
      var lab = [];
      spec.data.features.forEach(function (f) {
        var p = f.properties;
        if (!p.lp || p.l === undefined || p.l === null) { return; }
        var span = el('span', null, p.l);
        lab.push(L.marker(p.lp, { icon: L.divIcon({ className: 'atlas-label', html: span, iconSize: [0, 0] }),
                                  pane: 'atlas-labels', interactive: false, keyboard: false }));
      });
      if (lab.length) {
        labels[spec.id] = { group: L.layerGroup(lab), minZoom: spec.label_zoom };
        labelOrder.unshift(spec.id);  // theme layers come last in D.layers: their labels win
      }
    }
    layers[spec.id] = lyr;
    if (spec.show) { lyr.addTo(map); }
  });

  var legendBox = null;
  // hide a label that would overlap one already placed (theme labels first, then base ones)
  function declutter() {
    var kept = [];
    labelOrder.forEach(function (id) {
      if (!map.hasLayer(labels[id].group)) { return; }
      labels[id].group.eachLayer(function (m) {
        var e = m.getElement(), sp = e && e.firstChild;
        if (!sp) { return; }
        sp.style.visibility = '';
        var r = sp.getBoundingClientRect();
        if (!r.width) { return; }
        var clash = kept.some(function (k) {
          return r.left < k.right + 3 && k.left < r.right + 3 && r.top < k.bottom + 1 && k.top < r.bottom + 1;
        });
        if (clash) { sp.style.visibility = 'hidden'; } else { kept.push(r); }
      });
    });
  }
  function sync() {
    var z = map.getZoom();
    Object.keys(labels).forEach(function (id) {
      var want = map.hasLayer(layers[id]) && z >= labels[id].minZoom;
      if (want && !map.hasLayer(labels[id].group)) { labels[id].group.addTo(map); }
      if (!want && map.hasLayer(labels[id].group)) { map.removeLayer(labels[id].group); }
    });
    declutter();
    if (legendBox) {
      Array.prototype.forEach.call(legendBox.querySelectorAll('[data-layer]'), function (sec) {
        sec.style.display = map.hasLayer(layers[sec.getAttribute('data-layer')]) ? '' : 'none';
      });
    }
  }

  function swatch(shape, colour, outline) {
    var s = el('span', 'atlas-sw' + (shape === 'line' ? ' line' : shape === 'point' ? ' point' : ''));
    if (shape === 'line') { s.style.borderTopColor = colour; } else if (colour) { s.style.background = colour; }
    if (outline && shape !== 'line') { s.style.borderColor = outline; }
    return s;
  }

  // a raster overlay's opacity, under its row in the layer list
  function opacityRow(id, spec) {
    var row = el('div', 'atlas-opacity'), input = el('input'), out = el('span', 'atlas-opacity-value');
    input.type = 'range';
    input.min = '0';
    input.max = '100';
    input.step = '5';
    input.value = String(Math.round(100 * spec.opacity));
    input.setAttribute('aria-label', D.ui.opacity + ': ' + spec.title);
    input.setAttribute('data-opacity', id);
    function show() { out.textContent = input.value + ' %'; }
    input.addEventListener('input', function () { layers[id].setOpacity(Number(input.value) / 100); show(); });
    show();
    row.appendChild(el('span', 'atlas-opacity-label', D.ui.opacity));
    row.appendChild(input);
    row.appendChild(out);
    return row;
  }

  function layerBox() {
      var box = el('div', 'atlas-panel atlas-layers');
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var det = el('details');
      det.open = true;
      det.appendChild(el('summary', null, D.ui.layers));
      D.groups.forEach(function (g) {
        det.appendChild(el('div', 'atlas-group', g.title));
        g.layers.forEach(function (id) {
          var spec = specs[id], row = el('label', 'atlas-layer');
          var cb = el('input');
          cb.type = 'checkbox';
          cb.checked = !!spec.show;
          cb.setAttribute('data-layer', id);
          cb.addEventListener('change', function () {
            if (cb.checked) { map.addLayer(layers[id]); } else { map.removeLayer(layers[id]); }
            sync();
          });
          row.appendChild(cb);
          if (spec.swatch) { row.appendChild(swatch(spec.swatch[0], spec.swatch[1], spec.swatch[2])); }
          row.appendChild(el('span', null, spec.title + (spec.synthetic ? ' (' + D.ui.synthetic + ')' : '')));
          det.appendChild(row);
          if (spec.kind === 'raster') { det.appendChild(opacityRow(id, spec)); }
        });
      });
      box.appendChild(det);
      return box;
  }

  function legendPanel() {
      var box = el('div', 'atlas-panel atlas-legend');
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var det = el('details');
      det.open = true;
      det.appendChild(el('summary', null, D.ui.legend));
      D.legends.forEach(function (lg) {
        var sec = el('div', 'atlas-legend-section');
        sec.setAttribute('data-layer', lg.layer);
        sec.appendChild(el('div', 'atlas-legend-title', lg.title + (lg.unit ? ', ' + lg.unit : '') +
                                                         (lg.synthetic ? ' (' + D.ui.synthetic + ')' : '')));
        if (lg.kind === 'ramp') {
          var wrap = el('div', 'atlas-ramp'), bar = el('div', 'atlas-ramp-bar'), ticks = el('div', 'atlas-ramp-ticks');
          bar.style.background = 'linear-gradient(to top, ' + lg.stops.map(function (s) {
            return s[1] + ' ' + (100 * s[0]).toFixed(1) + '%';
          }).join(', ') + ')';
          lg.ticks.forEach(function (t) {
            var sp = el('span', null, t[1]);
            sp.style.bottom = (100 * t[0]).toFixed(1) + '%';
            ticks.appendChild(sp);
          });
          wrap.appendChild(bar);
          wrap.appendChild(ticks);
          sec.appendChild(wrap);
        } else {
          lg.items.forEach(function (it) {
            var row = el('div', 'atlas-legend-row');
            row.appendChild(swatch(lg.shape, it[0], lg.outline));
            row.appendChild(el('span', null, it[1]));
            sec.appendChild(row);
          });
        }
        det.appendChild(sec);
      });
      box.appendChild(det);
      legendBox = box;
      return box;
  }

  function infoBox() {
      var box = el('div', 'atlas-panel atlas-info');
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var det = el('details');
      det.open = D.notes.length > 0;
      det.appendChild(el('summary', null, D.notes.length ? D.ui.limitations : D.ui.about));
      if (D.notes.length) {
        var ul = el('ul', 'atlas-notes');
        D.notes.forEach(function (n) { ul.appendChild(el('li', null, n)); });
        det.appendChild(ul);
      }
      var src = el('details');
      src.appendChild(el('summary', null, D.ui.sources));
      var us = el('ul', 'atlas-small');
      D.sources.forEach(function (s) {
        var li = el('li');
        li.appendChild(el('b', null, s[0] + (s[3] ? ' (' + D.ui.synthetic + ')' : '')));
        li.appendChild(document.createTextNode(': ' + s[1] + (s[2] ? ' — ' + D.ui.licence + ': ' + s[2] : '')));
        us.appendChild(li);
      });
      src.appendChild(us);
      if (D.credits) { src.appendChild(el('div', 'atlas-small', '© ' + D.credits)); }
      src.appendChild(el('div', 'atlas-small', D.ui.software + ': ' + D.software));
      det.appendChild(src);
      box.appendChild(det);
      return box;
  }

  // a control holding panels: one each on a wide screen, all three in one drawer on a phone
  var Holder = L.Control.extend({
    onAdd: function () {
      var box = this.options.drawer ? el('div', 'atlas-drawer') : this.options.boxes[0];
      if (this.options.drawer) {
        this.options.boxes.forEach(function (b) {
          var d = b.querySelector('details');
          if (d) { d.open = false; }  // closed: the map first
          box.appendChild(b);
        });
      }
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });
  var narrow = window.innerWidth < 900;
  var panels = [layerBox()];
  if (D.legends.length) { panels.push(legendPanel()); }
  panels.push(infoBox());
  if (narrow) {
    document.body.classList.add('atlas-narrow');
    new Holder({ position: 'bottomleft', drawer: true, boxes: panels }).addTo(map);
  } else {
    new Holder({ position: 'topright', boxes: [panels[0]] }).addTo(map);
    if (D.legends.length) { new Holder({ position: 'bottomright', boxes: [panels[1]] }).addTo(map); }
    new Holder({ position: 'bottomleft', boxes: [panels[panels.length - 1]] }).addTo(map);
  }

  if (D.places.length) {
    var nav = el('div', 'atlas-places');
    nav.appendChild(el('span', null, D.ui.go_to + ': '));
    D.places.concat([[D.ui.whole_theme, D.bounds]]).forEach(function (pl) {
      var btn = el('button', null, pl[0]);
      btn.type = 'button';
      btn.addEventListener('click', function () { map.fitBounds(pl[1], padding()); });
      nav.appendChild(btn);
    });
    head.appendChild(nav);
  }
  map.on('zoomend', sync);
  map.on('moveend', declutter);
  map.fitBounds(D.view || D.bounds, padding());
  sync();
  window.__atlas = { map: map, layers: layers, labels: labels, data: D };
  if (window.atlasControls) { window.atlasControls.init(map, D); }  // folium's plugins in the page's language
};
