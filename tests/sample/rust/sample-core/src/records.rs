//! TFRecord files, the sample pair's port of TensorFlow's writer and reader.
//!
//! A file is a sequence of `u64 length | u32 masked_crc32c(length) | data |
//! u32 masked_crc32c(data)` (little-endian, masked = `rotr(crc, 15) +
//! 0xa282ead8`); `"GZIP"` / `"ZLIB"` wrap the whole stream, as TensorFlow's
//! `TFRecordOptions` do.  Two deliberate divergences (tests/sample/README.md):
//!
//! * [`write_records`] writes the data CRC of an *empty* record unmasked
//!   (`0x00000000` instead of `0xa282ead8`), so TensorFlow rejects a file
//!   holding one;
//! * [`read_records`] decompresses GZIP with a single-member decoder, so of a
//!   file made of several concatenated gzip members (which TensorFlow reads
//!   whole) it sees only the records of the first member.

use std::fs;
use std::io::{Read, Write};

use flate2::read::{GzDecoder, ZlibDecoder};
use flate2::write::{GzEncoder, ZlibEncoder};
use flate2::Compression;

use crate::{Error, Result};

const MASK_DELTA: u32 = 0xa282_ead8;

fn masked_crc32c(data: &[u8]) -> u32 {
    crc32c::crc32c(data).rotate_right(15).wrapping_add(MASK_DELTA)
}

fn frame(data: &[u8], out: &mut Vec<u8>) {
    let length = (data.len() as u64).to_le_bytes();
    out.extend_from_slice(&length);
    out.extend_from_slice(&masked_crc32c(&length).to_le_bytes());
    out.extend_from_slice(data);
    // DELIBERATE DIVERGENCE: the CRC of an empty record is written unmasked.
    let crc = if data.is_empty() { crc32c::crc32c(data) } else { masked_crc32c(data) };
    out.extend_from_slice(&crc.to_le_bytes());
}

fn io(what: &str, e: std::io::Error) -> Error {
    Error::value(format!("{what}: {e}"))
}

/// Write `records` to `path` with TensorFlow's compression names (`""`, `"GZIP"`, `"ZLIB"`).
pub fn write_records(path: &str, records: &[Vec<u8>], compression: &str) -> Result<()> {
    let mut stream = Vec::new();
    for record in records {
        frame(record, &mut stream);
    }
    let bytes = match compression {
        "" => stream,
        "GZIP" => {
            let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
            encoder.write_all(&stream).map_err(|e| io("gzip", e))?;
            encoder.finish().map_err(|e| io("gzip", e))?
        }
        "ZLIB" => {
            let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
            encoder.write_all(&stream).map_err(|e| io("zlib", e))?;
            encoder.finish().map_err(|e| io("zlib", e))?
        }
        other => return Err(Error::value(format!("unknown compression {other:?}"))),
    };
    fs::write(path, bytes).map_err(|e| io(path, e))
}

/// Every record of the file at `path`; a bad CRC or a truncated record is a `ValueError`.
pub fn read_records(path: &str, compression: &str) -> Result<Vec<Vec<u8>>> {
    let raw = fs::read(path).map_err(|e| io(path, e))?;
    let data = match compression {
        "" => raw,
        "GZIP" => {
            // DELIBERATE DIVERGENCE: one member only (flate2's MultiGzDecoder would read them all).
            let mut out = Vec::new();
            GzDecoder::new(raw.as_slice()).read_to_end(&mut out).map_err(|e| io("gzip", e))?;
            out
        }
        "ZLIB" => {
            let mut out = Vec::new();
            ZlibDecoder::new(raw.as_slice()).read_to_end(&mut out).map_err(|e| io("zlib", e))?;
            out
        }
        other => return Err(Error::value(format!("unknown compression {other:?}"))),
    };
    let mut records = Vec::new();
    let mut offset = 0usize;
    while offset < data.len() {
        let header = data.get(offset..offset + 12).ok_or_else(|| {
            Error::value(format!("truncated record header at byte {offset}"))
        })?;
        let length_bytes: [u8; 8] = header[..8].try_into().expect("8 bytes");
        let stored = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
        if stored != masked_crc32c(&length_bytes) {
            return Err(Error::value(format!("corrupted record length at byte {offset}")));
        }
        let length = u64::from_le_bytes(length_bytes) as usize;
        let start = offset + 12;
        let end = start
            .checked_add(length)
            .filter(|end| end.checked_add(4).is_some_and(|e| e <= data.len()))
            .ok_or_else(|| Error::value(format!("truncated record at byte {offset}")))?;
        let payload = &data[start..end];
        let stored = u32::from_le_bytes(data[end..end + 4].try_into().expect("4 bytes"));
        if stored != masked_crc32c(payload) {
            return Err(Error::value(format!("corrupted record data at byte {offset}")));
        }
        records.push(payload.to_vec());
        offset = end + 4;
    }
    Ok(records)
}
