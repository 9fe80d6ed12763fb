// How large the pictures this page receives may be: the highest simulcast layer (0 quarter, 1 half, 2 full size) any
// tile may ask for, lowered when the incoming video loses packets (a weak link, a busy Wi-Fi, a phone on 4G) and
// raised again, carefully, once it stops. Janus forwards whichever layer a viewer asks for and does not estimate a
// viewer's bandwidth itself: without this, a pupil on a poor link keeps asking for pictures that arrive broken, and
// the retransmissions they need make the link worse. Audio never goes this way, so it never waits for this.
export const TopLayer = 2;

export class LayerCeiling {
    // lossDown: the share of packets lost in a sample that counts as "too much"; lossUp: below it a sample is clean.
    // minPackets: a sample with fewer packets says nothing (a quarter-size picture sends ~20 a second).
    // downAfter: bad samples in a row before stepping down; upAfter: clean samples in a row before trying a layer up.
    // A try that fails soon (a step down within the wait after a step up) doubles the wait, up to longestWait samples;
    // a layer that holds that long makes the next try quick again.
    constructor({ lossDown = 0.05, lossUp = 0.01, minPackets = 40, downAfter = 2, upAfter = 5, longestWait = 40 } = {}) {
        Object.assign(this, { lossDown, lossUp, minPackets, downAfter, upAfter, longestWait });
        this.ceiling = TopLayer;
        this.wait = upAfter;
        this.bad = 0;
        this.clean = 0;
        this.sinceUp = Infinity;
    }

    // One sample of the connection's incoming video since the last one: packets received and packets lost.
    // Returns the ceiling now.
    sample(received, lost) {
        received = Math.max(0, received);
        lost = Math.max(0, lost);
        const total = received + lost;
        this.sinceUp++;
        if (this.sinceUp >= this.longestWait) {
            this.wait = this.upAfter;
        }
        if (total < this.minPackets) {
            return this.ceiling;
        }
        const loss = lost / total;
        if (loss >= this.lossDown) {
            this.clean = 0;
            if (++this.bad >= this.downAfter && this.ceiling > 0) {
                if (this.sinceUp <= this.wait) {
                    this.wait = Math.min(this.wait * 2, this.longestWait);
                }
                this.ceiling--;
                this.bad = 0;
            }
        } else if (loss < this.lossUp) {
            this.bad = 0;
            if (++this.clean >= this.wait && this.ceiling < TopLayer) {
                this.ceiling++;
                this.clean = 0;
                this.sinceUp = 0;
            }
        } else {
            // Some loss, not much: hold where it is.
            this.bad = 0;
            this.clean = 0;
        }
        return this.ceiling;
    }
}
