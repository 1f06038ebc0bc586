//! The zlib stream of a status list, compressed in independent chunks so that a revocation
//! recompresses only the chunk its bit is in.
//!
//! A 1,048,576-entry list is 128 KiB of bits; zlib at level 9 takes 15–50 ms over all of it at
//! 1–10% revoked, which bounded revocations to a few hundred a second (every revocation re-signs
//! its list before it answers). Here the bits are cut into chunks, each compressed on its own as
//! raw deflate and ended with a sync flush (an empty stored block, which leaves the output
//! byte-aligned: the technique of `pigz`). Concatenated between a zlib header and a final empty
//! block, with the Adler-32 of all the bits, they form one ordinary zlib stream that any
//! inflater reads. A chunk sees no data before it and costs a few bytes of block header and
//! flush marker; in exchange an update costs one chunk (~1 ms) instead of the whole list.
//!
//! The time to compress a chunk grows with its set bits (~2 µs each at level 9) and its length
//! (~1 ms per 128 KiB of zeros), so the chunk length follows the list's density: a sparse list is
//! one chunk (as small as one stream), a list with 1% revoked is cut into 8 KiB chunks. Set
//! bits only ever grow, so the length only shrinks, at most five times in a list's life, each
//! time compressing it whole once.

use flate2::{Compress, CompressError, Compression, FlushCompress};

/// The shortest chunk: 65,536 one-bit entries. Measured at 1M entries and 1% revoked, 8 KiB
/// chunks are 1.04× the size of one zlib-9 stream and 1.1 ms per update; 4 KiB 1.08×.
pub const MIN_CHUNK_BYTES: usize = 8 * 1024;
/// The longest chunk: a sparse 1M-entry list whole, ~1 ms.
pub const MAX_CHUNK_BYTES: usize = 128 * 1024;
/// Chunks are halved (down to [`MIN_CHUNK_BYTES`]) while they would hold more set bits than
/// this on average: ~2 ms of level-9 work at most.
const SET_BITS_PER_CHUNK: u64 = 1024;

/// `78 DA`: deflate, 32 KiB window, "best compression" (the level is only informative).
const ZLIB_HEADER: [u8; 2] = [0x78, 0xDA];
/// A final, fixed-Huffman block holding only its end-of-block code: closes the stream after
/// chunks that each ended with a sync flush (what zlib's own `Z_FINISH` emits after one).
const FINAL_EMPTY_BLOCK: [u8; 2] = [0x03, 0x00];

/// A list's bits and their compressed chunks, kept between builds.
#[derive(Clone, Default)]
pub struct ChunkedZlib {
    bits: Vec<u8>,
    chunk_bytes: usize,
    chunks: Vec<Vec<u8>>,
}

impl std::fmt::Debug for ChunkedZlib {
    // Sizes, not 128 KiB of bits.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkedZlib")
            .field("bits_len", &self.bits.len())
            .field("chunk_bytes", &self.chunk_bytes)
            .field("chunks", &self.chunks.len())
            .field(
                "compressed_len",
                &self.chunks.iter().map(Vec::len).sum::<usize>(),
            )
            .finish()
    }
}

impl ChunkedZlib {
    /// Compresses `bits` in full.
    ///
    /// # Errors
    /// The deflater failed (a bug in it: any input compresses).
    pub fn new(bits: &[u8]) -> Result<Self, CompressError> {
        let chunk_bytes = chunk_bytes_for(bits);
        Ok(Self {
            bits: bits.to_vec(),
            chunk_bytes,
            chunks: bits
                .chunks(chunk_bytes)
                .map(deflate_chunk)
                .collect::<Result<_, _>>()?,
        })
    }

    /// The same, for `bits` that differ from the held ones: only the chunks that changed are
    /// compressed again (all of them when the length or the chunk length changed). Returns how
    /// many were.
    ///
    /// # Errors
    /// The deflater failed. `self` still holds matching bits and chunks: those updated before
    /// the failure, and the rest as they were.
    pub fn update(&mut self, bits: &[u8]) -> Result<usize, CompressError> {
        if bits.len() != self.bits.len() || chunk_bytes_for(bits) != self.chunk_bytes {
            *self = Self::new(bits)?;
            return Ok(self.chunks.len());
        }
        let mut recompressed = 0;
        for ((new, held), chunk) in bits
            .chunks(self.chunk_bytes)
            .zip(self.bits.chunks_mut(self.chunk_bytes))
            .zip(&mut self.chunks)
        {
            if new != held {
                *chunk = deflate_chunk(new)?;
                held.copy_from_slice(new);
                recompressed += 1;
            }
        }
        Ok(recompressed)
    }

    /// The bits these chunks hold.
    pub fn bits(&self) -> &[u8] {
        &self.bits
    }

    /// The whole zlib stream (RFC 1950) of the bits: the list's `lst` before base64.
    pub fn zlib(&self) -> Vec<u8> {
        let compressed: usize = self.chunks.iter().map(Vec::len).sum();
        let mut out = Vec::with_capacity(ZLIB_HEADER.len() + compressed + 2 + 4);
        out.extend_from_slice(&ZLIB_HEADER);
        for chunk in &self.chunks {
            out.extend_from_slice(chunk);
        }
        out.extend_from_slice(&FINAL_EMPTY_BLOCK);
        out.extend_from_slice(&adler2::adler32_slice(&self.bits).to_be_bytes());
        out
    }
}

/// The chunk length for `bits`: the longest power of two from [`MAX_CHUNK_BYTES`] down to
/// [`MIN_CHUNK_BYTES`] whose chunks hold at most [`SET_BITS_PER_CHUNK`] set bits on average.
fn chunk_bytes_for(bits: &[u8]) -> usize {
    let set: u64 = bits.iter().map(|b| u64::from(b.count_ones())).sum();
    let len = bits.len() as u64;
    let mut chunk = MAX_CHUNK_BYTES;
    while chunk > MIN_CHUNK_BYTES && set * chunk as u64 > SET_BITS_PER_CHUNK * len {
        chunk /= 2;
    }
    chunk
}

/// Raw deflate of one chunk at the best level, ended with a sync flush (byte-aligned, no final
/// block), independent of every other chunk.
fn deflate_chunk(chunk: &[u8]) -> Result<Vec<u8>, CompressError> {
    let mut z = Compress::new(Compression::best(), false);
    // zlib's bound for incompressible data plus the flush marker, so one call suffices; the
    // loop only guards against a deflater that needs more.
    let mut out = Vec::with_capacity(chunk.len() + chunk.len() / 2048 + 64);
    loop {
        let read = usize::try_from(z.total_in()).unwrap_or(chunk.len());
        z.compress_vec(&chunk[read..], &mut out, FlushCompress::Sync)?;
        // The flush is complete when all input is taken and room is left over.
        if z.total_in() == chunk.len() as u64 && out.len() < out.capacity() {
            return Ok(out);
        }
        out.reserve(out.capacity());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::io::Read;

    use super::*;

    /// `count` bits set at indexes spread like random allocation spreads them (xorshift).
    fn bits(bytes: usize, count: usize, seed: u64) -> Vec<u8> {
        let mut out = vec![0u8; bytes];
        let mut x = seed | 1;
        for _ in 0..count {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let i = (x % (bytes as u64 * 8)) as usize;
            out[i / 8] |= 1 << (i % 8);
        }
        out
    }

    /// The size of the bits as one zlib stream at level 9.
    fn whole_stream(bits: &[u8]) -> usize {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(bits).expect("in memory");
        z.finish().expect("in memory").len()
    }

    fn inflate(zlib: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(zlib)
            .read_to_end(&mut out)
            .expect("a valid zlib stream");
        out
    }

    #[test]
    fn the_stream_inflates_to_the_bits_at_every_density_and_length() {
        for (bytes, count) in [
            (1, 0),
            (MIN_CHUNK_BYTES - 1, 3),
            (MAX_CHUNK_BYTES, 0),
            (MAX_CHUNK_BYTES + 1, 100),
            (MIN_CHUNK_BYTES * 3 + 1, 20_000),
            (131_072, 10_486),
            (131_072, 1_048_576 / 2),
        ] {
            let b = bits(bytes, count, 7);
            assert_eq!(
                inflate(&ChunkedZlib::new(&b).unwrap().zlib()),
                b,
                "{bytes} bytes"
            );
        }
    }

    #[test]
    fn random_bytes_that_do_not_compress_still_round_trip() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let noise: Vec<u8> = (0..3 * MIN_CHUNK_BYTES + 17)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        assert_eq!(inflate(&ChunkedZlib::new(&noise).unwrap().zlib()), noise);
    }

    #[test]
    fn an_update_recompresses_only_changed_chunks_and_equals_a_fresh_build() {
        let before = bits(131_072, 10_000, 3);
        let mut held = ChunkedZlib::new(&before).unwrap();
        assert_eq!(
            held.chunk_bytes, MIN_CHUNK_BYTES,
            "1% set: the shortest chunks"
        );
        let mut after = before.clone();
        after[5] |= 0x80;
        after[3 * MIN_CHUNK_BYTES + 9] |= 0x01;
        assert_eq!(held.update(&after).unwrap(), 2);
        assert_eq!(held.zlib(), ChunkedZlib::new(&after).unwrap().zlib());
        assert_eq!(inflate(&held.zlib()), after);
        assert_eq!(held.bits(), after.as_slice());
        assert_eq!(held.update(&after).unwrap(), 0, "nothing changed");
    }

    #[test]
    fn a_different_length_rebuilds_everything() {
        let mut held = ChunkedZlib::new(&bits(MIN_CHUNK_BYTES * 40, 40_000, 1)).unwrap();
        let longer = bits(MIN_CHUNK_BYTES * 41, 40_000, 1);
        assert_eq!(held.update(&longer).unwrap(), 41);
        assert_eq!(inflate(&held.zlib()), longer);
    }

    #[test]
    fn chunks_shorten_as_the_list_fills_and_then_everything_is_recompressed() {
        // 1M entries with 0.01% set: one chunk, as small as a single stream.
        let sparse = bits(131_072, 105, 5);
        let mut held = ChunkedZlib::new(&sparse).unwrap();
        assert_eq!((held.chunk_bytes, held.chunks.len()), (MAX_CHUNK_BYTES, 1));
        // 2,048 set bits: 64 KiB chunks would hold 1,024 each on average, still allowed.
        let fuller = bits(131_072, 2_048, 5);
        let set: u32 = fuller.iter().map(|b| b.count_ones()).sum();
        let expected = if set <= 2_048 { 64 * 1024 } else { 32 * 1024 };
        assert_eq!(held.update(&fuller).unwrap(), 131_072 / expected);
        assert_eq!(held.chunk_bytes, expected);
        assert_eq!(held.zlib(), ChunkedZlib::new(&fuller).unwrap().zlib());
        assert_eq!(inflate(&held.zlib()), fuller);
    }

    #[test]
    fn a_sparse_list_costs_no_more_than_a_few_bytes_over_one_stream() {
        let sparse = bits(131_072, 105, 9);
        let chunked = ChunkedZlib::new(&sparse).unwrap().zlib().len();
        assert!(chunked <= whole_stream(&sparse) + 8, "{chunked} B");
    }

    #[test]
    fn chunking_costs_little_against_one_stream() {
        // 1M entries, 1% revoked: the size the wire target is about.
        let b = bits(131_072, 10_486, 11);
        let whole = whole_stream(&b);
        let chunked = ChunkedZlib::new(&b).unwrap().zlib().len();
        assert!(
            (chunked as f64) < whole as f64 * 1.12,
            "{chunked} B chunked against {whole} B in one stream"
        );
    }
}
