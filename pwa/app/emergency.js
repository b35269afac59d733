// The emergency numbers every crisis screen shows: 113, legevakt 116 117 and
// Mental Helse 116 123. Written here, not fetched, so they show with no
// network too; the server's own list is nattlys/checkins/schemas.py.
// `key` names the catalogue entry (emergency.<key>); `tel` is what is dialled.
export const EMERGENCY_NUMBERS = [
  { key: 'ambulance', tel: '113', shown: '113' },
  { key: 'legevakt', tel: '116117', shown: '116 117' },
  { key: 'helpline', tel: '116123', shown: '116 123' },
];

/** The number to call first (113), drawn a step above the others. */
export const isFirst = (number) => number.key === 'ambulance';
