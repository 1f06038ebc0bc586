//! The status array: `bits` bits per token, packed least significant bit first within each
//! byte (draft-ietf-oauth-status-list §4.1), zlib-compressed and base64url-encoded as `lst`.

use std::fmt;
use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::{Compression, Decompress, FlushDecompress, Status};

use crate::b64;

/// The largest decompressed list a verifier accepts (16 MiB: 134 million 1-bit entries).
/// Inflating stops here, so a zlib bomb costs at most this much memory.
pub const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;

/// A status array of fixed capacity.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    bytes: Vec<u8>,
}

/// Why a status array cannot be built or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusListError {
    /// `bits` is not 1, 2, 4 or 8.
    InvalidBits(u64),
    /// The capacity is zero or needs more than [`MAX_LIST_BYTES`].
    InvalidCapacity,
    /// A status value does not fit in `bits` bits.
    ValueTooLarge(u8),
    /// An index at or beyond the capacity.
    IndexOutOfRange(u64),
    /// `lst` is not canonical base64url.
    NotBase64,
    /// `lst` is not a zlib stream.
    NotZlib,
    /// `lst` inflates to more than [`MAX_LIST_BYTES`].
    TooLarge,
}

impl fmt::Display for StatusListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusListError::InvalidBits(b) => write!(f, "\"bits\" must be 1, 2, 4 or 8, not {b}"),
            StatusListError::InvalidCapacity => {
                write!(
                    f,
                    "capacity must be at least one entry and at most {MAX_LIST_BYTES} bytes"
                )
            }
            StatusListError::ValueTooLarge(v) => {
                write!(f, "status value {v} does not fit in the list's bits")
            }
            StatusListError::IndexOutOfRange(i) => write!(f, "index {i} is beyond the list"),
            StatusListError::NotBase64 => f.write_str("\"lst\" is not canonical base64url"),
            StatusListError::NotZlib => f.write_str("\"lst\" is not a valid zlib stream"),
            StatusListError::TooLarge => {
                write!(f, "\"lst\" inflates to more than {MAX_LIST_BYTES} bytes")
            }
        }
    }
}

impl std::error::Error for StatusListError {}

fn check_bits(bits: u64) -> Result<u8, StatusListError> {
    match bits {
        1 | 2 | 4 | 8 => Ok(bits as u8),
        other => Err(StatusListError::InvalidBits(other)),
    }
}

impl StatusList {
    /// An all-valid (all zero) list with room for `capacity` entries of `bits` bits.
    ///
    /// # Errors
    /// Invalid `bits`, or a capacity of zero or beyond [`MAX_LIST_BYTES`].
    pub fn new(bits: u8, capacity: u64) -> Result<StatusList, StatusListError> {
        let bits = check_bits(u64::from(bits))?;
        let len = capacity
            .checked_mul(u64::from(bits))
            .map(|total_bits| total_bits.div_ceil(8))
            .filter(|len| *len > 0 && *len <= MAX_LIST_BYTES as u64)
            .ok_or(StatusListError::InvalidCapacity)?;
        Ok(StatusList {
            bits,
            bytes: vec![0; len as usize],
        })
    }

    /// A list of `bits`-bit entries over `bytes`, laid out as [`as_bytes`](Self::as_bytes) gives
    /// them (an issuer that keeps a list's bits between builds starts the next from them).
    ///
    /// # Errors
    /// Invalid `bits`, or no bytes or more than [`MAX_LIST_BYTES`].
    pub fn from_bytes(bits: u8, bytes: Vec<u8>) -> Result<StatusList, StatusListError> {
        let bits = check_bits(u64::from(bits))?;
        if bytes.is_empty() || bytes.len() > MAX_LIST_BYTES {
            return Err(StatusListError::InvalidCapacity);
        }
        Ok(StatusList { bits, bytes })
    }

    /// Reads the JSON form's `bits` and `lst`, inflating at most [`MAX_LIST_BYTES`].
    ///
    /// # Errors
    /// Invalid `bits`, or `lst` that is not canonical base64url, not zlib, or too large.
    pub fn decode(bits: u64, lst: &str) -> Result<StatusList, StatusListError> {
        check_bits(bits)?;
        let compressed = b64::decode(lst.as_bytes()).ok_or(StatusListError::NotBase64)?;
        StatusList::decompress(bits, &compressed)
    }

    /// Reads the CBOR form's `bits` and `lst` (the zlib bytes themselves), inflating at most
    /// [`MAX_LIST_BYTES`].
    ///
    /// # Errors
    /// Invalid `bits`, or `lst` that is not zlib, or too large.
    pub fn decompress(bits: u64, compressed: &[u8]) -> Result<StatusList, StatusListError> {
        let bits = check_bits(bits)?;
        let bytes = inflate_capped(compressed)?;
        if bytes.is_empty() {
            return Err(StatusListError::InvalidCapacity);
        }
        Ok(StatusList { bits, bytes })
    }

    /// The compressed, base64url `lst` value of the JSON form (zlib at the best level).
    pub fn encode(&self) -> String {
        b64::encode(&self.compress())
    }

    /// The `lst` value of the CBOR form: the packed bytes, zlib-compressed at the best level.
    pub fn compress(&self) -> Vec<u8> {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        // Writing into a Vec cannot fail.
        let _ = z.write_all(&self.bytes);
        z.finish().unwrap_or_default()
    }

    /// Bits per entry: 1, 2, 4 or 8.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// How many entries the list holds.
    pub fn capacity(&self) -> u64 {
        self.bytes.len() as u64 * 8 / u64::from(self.bits)
    }

    /// The packed bytes (LSB first within each byte).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The status at `idx`, or `None` beyond the list.
    pub fn get(&self, idx: u64) -> Option<u8> {
        let bits = u64::from(self.bits);
        let bit = idx.checked_mul(bits)?;
        let byte = *self.bytes.get(usize::try_from(bit / 8).ok()?)?;
        let mask = ((1u16 << bits) - 1) as u8;
        Some((byte >> (bit % 8)) & mask)
    }

    /// Sets the status at `idx`.
    ///
    /// # Errors
    /// An index beyond the list, or a value that does not fit in `bits`.
    pub fn set(&mut self, idx: u64, value: u8) -> Result<(), StatusListError> {
        let bits = u64::from(self.bits);
        let mask = ((1u16 << bits) - 1) as u8;
        if value & !mask != 0 {
            return Err(StatusListError::ValueTooLarge(value));
        }
        let bit = idx
            .checked_mul(bits)
            .ok_or(StatusListError::IndexOutOfRange(idx))?;
        let byte = usize::try_from(bit / 8)
            .ok()
            .and_then(|i| self.bytes.get_mut(i))
            .ok_or(StatusListError::IndexOutOfRange(idx))?;
        let shift = bit % 8;
        *byte = (*byte & !(mask << shift)) | (value << shift);
        Ok(())
    }
}

impl fmt::Debug for StatusList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusList")
            .field("bits", &self.bits)
            .field("capacity", &self.capacity())
            .finish()
    }
}

/// Inflates exactly one complete zlib stream (checksum included, nothing after it), never
/// holding more than [`MAX_LIST_BYTES`] + 1 bytes of output.
fn inflate_capped(compressed: &[u8]) -> Result<Vec<u8>, StatusListError> {
    let mut inflater = Decompress::new(true);
    let mut out = Vec::with_capacity(
        compressed
            .len()
            .saturating_mul(8)
            .clamp(64, MAX_LIST_BYTES + 1),
    );
    loop {
        if out.len() == out.capacity() {
            if out.len() > MAX_LIST_BYTES {
                return Err(StatusListError::TooLarge);
            }
            out.reserve_exact(out.capacity().min(MAX_LIST_BYTES + 1 - out.capacity()));
        }
        let (in_before, out_before) = (inflater.total_in(), out.len());
        let rest = &compressed[in_before as usize..];
        let status = inflater
            .decompress_vec(rest, &mut out, FlushDecompress::None)
            .map_err(|_| StatusListError::NotZlib)?;
        if out.len() > MAX_LIST_BYTES {
            return Err(StatusListError::TooLarge);
        }
        match status {
            Status::StreamEnd if inflater.total_in() as usize == compressed.len() => {
                return Ok(out)
            }
            // Bytes after the end of the stream.
            Status::StreamEnd => return Err(StatusListError::NotZlib),
            // No progress with room to write: the stream is truncated.
            _ if inflater.total_in() == in_before
                && out.len() == out_before
                && out.len() < out.capacity() =>
            {
                return Err(StatusListError::NotZlib);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft_one_bit_example() {
        // draft-ietf-oauth-status-list §4.1: 16 entries, 1 bit.
        let list = StatusList::decode(1, "eNrbuRgAAhcBXQ").unwrap();
        assert_eq!(list.as_bytes(), [0xb9, 0xa3]);
        let expected = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1];
        for (i, want) in expected.iter().enumerate() {
            assert_eq!(list.get(i as u64), Some(*want), "idx {i}");
        }
        assert_eq!(list.get(16), None);
        let mut rebuilt = StatusList::new(1, 16).unwrap();
        for (i, v) in expected.iter().enumerate() {
            rebuilt.set(i as u64, *v).unwrap();
        }
        assert_eq!(rebuilt.encode(), "eNrbuRgAAhcBXQ");
    }

    #[test]
    fn from_bytes_reads_what_as_bytes_gives() {
        let list = StatusList::decode(1, "eNrbuRgAAhcBXQ").unwrap();
        let again = StatusList::from_bytes(1, list.as_bytes().to_vec()).unwrap();
        assert_eq!(again, list);
        assert_eq!(again.capacity(), 16);
        assert_eq!(
            StatusList::from_bytes(3, vec![0]),
            Err(StatusListError::InvalidBits(3))
        );
        assert_eq!(
            StatusList::from_bytes(1, Vec::new()),
            Err(StatusListError::InvalidCapacity)
        );
    }

    #[test]
    fn draft_two_bit_example() {
        let list = StatusList::decode(2, "eNo76fITAAPfAgc").unwrap();
        assert_eq!(list.as_bytes(), [0xc9, 0x44, 0xf9]);
        let expected = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3];
        for (i, want) in expected.iter().enumerate() {
            assert_eq!(list.get(i as u64), Some(*want), "idx {i}");
        }
    }

    #[test]
    fn set_and_get_every_width() {
        for bits in [1u8, 2, 4, 8] {
            let mut list = StatusList::new(bits, 100).unwrap();
            let max = ((1u16 << bits) - 1) as u8;
            list.set(0, max).unwrap();
            list.set(99, 1).unwrap();
            list.set(50, max).unwrap();
            list.set(50, 0).unwrap();
            assert_eq!(list.get(0), Some(max));
            assert_eq!(list.get(1), Some(0));
            assert_eq!(list.get(50), Some(0));
            assert_eq!(list.get(99), Some(1));
            assert!(list.set(list.capacity(), 1).is_err());
            let back = StatusList::decode(u64::from(bits), &list.encode()).unwrap();
            assert_eq!(back, list);
            if bits < 8 {
                assert_eq!(
                    list.set(1, max + 1),
                    Err(StatusListError::ValueTooLarge(max + 1))
                );
            }
        }
    }

    #[test]
    fn refuses_bad_inputs() {
        assert_eq!(
            StatusList::decode(3, "eNrbuRgAAhcBXQ"),
            Err(StatusListError::InvalidBits(3))
        );
        assert_eq!(
            StatusList::decode(1, "eNrbuRgAAhcBXQ=="),
            Err(StatusListError::NotBase64)
        );
        assert_eq!(StatusList::decode(1, "AAAA"), Err(StatusListError::NotZlib));
        // Truncated stream: the checksum is missing.
        assert_eq!(
            StatusList::decode(1, "eNrbuRgAAhc"),
            Err(StatusListError::NotZlib)
        );
        // Trailing bytes after a complete stream.
        let mut extra = b64::decode(b"eNrbuRgAAhcBXQ").unwrap();
        extra.push(0);
        assert_eq!(
            StatusList::decode(1, &b64::encode(&extra)),
            Err(StatusListError::NotZlib)
        );
        assert!(StatusList::new(1, 0).is_err());
        assert!(StatusList::new(8, MAX_LIST_BYTES as u64 + 1).is_err());
    }

    #[test]
    fn zlib_bomb_stops_at_the_cap() {
        let zeros = vec![0u8; MAX_LIST_BYTES + 1];
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(&zeros).unwrap();
        let lst = b64::encode(&z.finish().unwrap());
        assert!(lst.len() < 64 * 1024, "the bomb is small on the wire");
        assert_eq!(StatusList::decode(1, &lst), Err(StatusListError::TooLarge));
    }
}
