// The chat area's requests over HTTP (the socket asks the same when it is
// connected: chat-ui.js ask()).
import { api } from '../api.js';

export const sendMessage = (body) => api('POST', '/api/chat/messages', body);
export const inbox = () => api('GET', '/api/chat/inbox');

/** The patient's own conversation, the messages after `afterId`. */
export const ownConversation = (afterId) => api('GET', `/api/chat/conversation?after_id=${afterId}`);

const conversationPath = (id) => `/api/chat/conversations/${id}`;
/** A conversation for staff, the messages after `afterId`. */
export const conversation = (id, afterId) => api('GET', `${conversationPath(id)}?after_id=${afterId}`);
export const markRead = (id, uptoId) => api('POST', `${conversationPath(id)}/read`, { upto_id: uptoId });
export const reply = (id, body) => api('POST', `${conversationPath(id)}/messages`, body);
export const take = (id) => api('POST', `${conversationPath(id)}/take`);
export const close = (id) => api('POST', `${conversationPath(id)}/close`);
export const handover = (id, body) => api('POST', `${conversationPath(id)}/handover`, body);
export const saveHandoverNote = (id, note) => api('PUT', `${conversationPath(id)}/handover-note`, { note });
