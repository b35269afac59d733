// Socket.IO connection, opened after login. No screen depends on it yet: if
// the library or the connection is unavailable the app works as before.

export const events = new EventTarget();
let socket = null;

export async function connect() {
  if (socket) return;
  try {
    const { io } = await import('/vendor/socket.io.esm.min.js');
    socket = io({ transports: ['websocket', 'polling'], withCredentials: true });
    socket.on('connect', () => events.dispatchEvent(new Event('connect')));
    socket.on('disconnect', () => events.dispatchEvent(new Event('disconnect')));
    socket.on('connect_error', () => events.dispatchEvent(new Event('unavailable')));
    socket.onAny((name, ...args) => events.dispatchEvent(new CustomEvent('message', { detail: { name, args } })));
  } catch {
    socket = null;
    events.dispatchEvent(new Event('unavailable'));
  }
}

export function disconnect() {
  if (socket) {
    socket.disconnect();
    socket = null;
  }
}
