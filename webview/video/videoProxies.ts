/**
 * The playable copies of the videos (the daemon's `video/displayCopy`, through the extension): asked for once per
 * video, when it is first shown; a failure is not remembered, so coming back to the video asks again.
 */
import { AskedOnce } from '../displayCopies';
import type { VideoProxyInfo, VideoProxyParams } from '../protocol';

export class VideoProxies {
  private readonly proxies: AskedOnce<VideoProxyInfo>;

  constructor(request: (file: string) => void) {
    this.proxies = new AskedOnce(request);
  }

  proxyOf(file: string): Promise<VideoProxyInfo> {
    return this.proxies.answerFor(file);
  }

  receive(answer: VideoProxyParams): void {
    this.proxies.receive(answer.file, 'uri' in answer ? answer : new Error(answer.error));
  }

  /** Forgets every copy (a new dataset load: a video may have changed, or been committed). */
  clear(): void {
    this.proxies.clear();
  }
}
