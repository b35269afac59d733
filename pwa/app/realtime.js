// Socket.IO connection, opened after login. Screens use it when it is there
// (the chat); if the library or the connection is unavailable they fall back
// to HTTP.

export const events = new EventTarget();
let socket = null;

export async function connect() {
  if (socket) return;
  try {
    const { io } = await import('/vendor/socket.io.esm.min.js');
    socket = io({ transports: ['websocket', 'polling'], withCredentials: true });
    socket.on('connect', () => events.dispatchEvent(new Event('connect')));
    socket.on('disconnect', (reason) => {
      events.dispatchEvent(new Event('disconnect'));
      // The server ends the socket of a session that has ended (timed out,
      // logged out elsewhere); the client does not reconnect by itself then.
      if (reason === 'io server disconnect') events.dispatchEvent(new Event('ended'));
    });
    socket.on('connect_error', () => events.dispatchEvent(new Event('unavailable')));
    socket.onAny((name, ...args) => events.dispatchEvent(new CustomEvent('message', { detail: { name, args } })));
  } catch {
    socket = null;
    events.dispatchEvent(new Event('unavailable'));
  }
}

/** True while the socket is connected. */
export function isConnected() {
  return Boolean(socket && socket.connected);
}

/**
 * Emit an event and wait for the server's acknowledgement ({ok} or {error}).
 * Rejects with {code: 'network'} when not connected or no answer in time, so
 * callers can fall back to HTTP.
 */
export function request(name, data, timeoutMs = 8000) {
  return new Promise((resolve, reject) => {
    if (!isConnected()) {
      reject(Object.assign(new Error('network'), { code: 'network', status: 0 }));
      return;
    }
    socket.timeout(timeoutMs).emit(name, data, (err, answer) => {
      if (err) reject(Object.assign(new Error('network'), { code: 'network', status: 0 }));
      else resolve(answer);
    });
  });
}

/** Connect again after the server ended the socket (the session is still live). */
export function reconnect() {
  if (socket && !socket.connected) socket.connect();
}

export function disconnect() {
  if (socket) {
    socket.disconnect();
    socket = null;
  }
}
