// Copies the pinned front-end libraries from node_modules into sportsplatform/static/vendor,
// so pages load them from our own server (the platform must work inside a closed government
// network: no CDN). Run by `make install` after `npm ci`.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "sportsplatform", "static", "vendor");

// [source in node_modules, destination under static/vendor]
const files = [
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["alpinejs/dist/module.esm.min.js", "alpine/alpine.esm.min.js"],
  ["echarts/dist/echarts.min.js", "echarts/echarts.min.js"],
  // Source maps too: WhiteNoise's manifest storage rewrites sourceMappingURL comments and fails
  // collectstatic when the map a file names is missing.
  ["leaflet/dist/leaflet.js", "leaflet/leaflet.js"],
  ["leaflet/dist/leaflet.js.map", "leaflet/leaflet.js.map"],
  ["leaflet/dist/leaflet.css", "leaflet/leaflet.css"],
  ["leaflet/dist/images", "leaflet/images"],
  ["leaflet.markercluster/dist/leaflet.markercluster.js", "leaflet.markercluster/leaflet.markercluster.js"],
  ["leaflet.markercluster/dist/leaflet.markercluster.js.map", "leaflet.markercluster/leaflet.markercluster.js.map"],
  ["leaflet.markercluster/dist/MarkerCluster.css", "leaflet.markercluster/MarkerCluster.css"],
  ["leaflet.markercluster/dist/MarkerCluster.Default.css", "leaflet.markercluster/MarkerCluster.Default.css"],
  ["axe-core/axe.min.js", "axe-core/axe.min.js"],
  // The check-in desk's camera scanner: an ES module that loads its worker from the same folder.
  ["qr-scanner/qr-scanner.min.js", "qr-scanner/qr-scanner.min.js"],
  ["qr-scanner/qr-scanner.min.js.map", "qr-scanner/qr-scanner.min.js.map"],
  ["qr-scanner/qr-scanner-worker.min.js", "qr-scanner/qr-scanner-worker.min.js"],
  ["qr-scanner/qr-scanner-worker.min.js.map", "qr-scanner/qr-scanner-worker.min.js.map"],
];

rmSync(out, { recursive: true, force: true });
for (const [src, dest] of files) {
  const target = join(out, dest);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, "node_modules", src), target, { recursive: true });
}
console.log(`vendor: ${files.length} entries copied to ${out}`);
