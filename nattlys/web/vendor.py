"""npm files the browser loads, by the URL name it asks for, relative to
pwa/node_modules. Only these are served, and only these go into the wheel
(setup.py reads this file without importing the server)."""

VENDOR_FILES = {
    "socket.io.esm.min.js": "socket.io-client/dist/socket.io.esm.min.js",
    "socket.io.esm.min.js.map": "socket.io-client/dist/socket.io.esm.min.js.map",
    "uPlot.esm.js": "uplot/dist/uPlot.esm.js",
    "uPlot.min.css": "uplot/dist/uPlot.min.css",
}
