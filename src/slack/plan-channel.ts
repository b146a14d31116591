import type { ChannelPort } from '../monitoring/channel-port';
import type { ChannelPoster } from './channel-poster';

/** The plan's channel as a ChannelPort for the domain. */
export function planChannel(poster: ChannelPoster, channel: string): ChannelPort {
  return {
    post: (view, threadTs) => poster.post(channel, view, threadTs),
    update: (ref, view) => poster.update(ref.channel, ref.ts, view),
  };
}
