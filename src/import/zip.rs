//! The few parts of the ZIP format a `torch.save` archive uses: the central directory
//! (with ZIP64 sizes and offsets) and stored, uncompressed entries. Bytes in, named byte
//! slices out; every offset is checked, so a damaged archive is an error, never a panic.

use super::ImportError;

fn err(problem: impl Into<String>) -> ImportError {
    ImportError { what: None, problem: problem.into() }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

const EOCD: u32 = 0x0605_4b50;
const EOCD64_LOCATOR: u32 = 0x0706_4b50;
const EOCD64: u32 = 0x0606_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const LOCAL: u32 = 0x0403_4b50;

/// The entries of a ZIP archive, in central-directory order: name and contents. Only stored
/// (method 0), unencrypted entries are read; any other entry is an error naming it.
pub(crate) fn entries(bytes: &[u8]) -> Result<Vec<(String, &[u8])>, ImportError> {
    // The end-of-central-directory record: 22 bytes plus a comment of at most 65535.
    let last = bytes.len().checked_sub(22).ok_or_else(|| err("not a ZIP archive (too short)"))?;
    let eocd = (last.saturating_sub(65535)..=last)
        .rev()
        .find(|&p| u32_at(bytes, p) == Some(EOCD))
        .ok_or_else(|| err("not a ZIP archive (no end of central directory)"))?;
    let bad = || err("damaged ZIP archive (central directory outside the file)");
    let mut count = u16_at(bytes, eocd + 10).ok_or_else(bad)? as u64;
    let mut cd_size = u32_at(bytes, eocd + 12).ok_or_else(bad)? as u64;
    let mut cd_at = u32_at(bytes, eocd + 16).ok_or_else(bad)? as u64;
    // ZIP64: a locator just before the record points at the 64-bit record.
    if let Some(loc) = eocd.checked_sub(20)
        && u32_at(bytes, loc) == Some(EOCD64_LOCATOR)
    {
        let at = usize::try_from(u64_at(bytes, loc + 8).ok_or_else(bad)?).map_err(|_| bad())?;
        if u32_at(bytes, at) != Some(EOCD64) {
            return Err(err("damaged ZIP64 archive (no ZIP64 end of central directory)"));
        }
        count = u64_at(bytes, at + 32).ok_or_else(bad)?;
        cd_size = u64_at(bytes, at + 40).ok_or_else(bad)?;
        cd_at = u64_at(bytes, at + 48).ok_or_else(bad)?;
    }
    let cd_at = usize::try_from(cd_at).map_err(|_| bad())?;
    let cd_end = usize::try_from(cd_size).ok().and_then(|s| cd_at.checked_add(s)).ok_or_else(bad)?;
    if cd_end > bytes.len() {
        return Err(bad());
    }
    let mut out = Vec::new();
    let mut p = cd_at;
    for _ in 0..count {
        if p.checked_add(46).is_none_or(|e| e > cd_end) || u32_at(bytes, p) != Some(CENTRAL) {
            return Err(err("damaged ZIP archive (bad central directory entry)"));
        }
        let flags = u16_at(bytes, p + 8).ok_or_else(bad)?;
        let method = u16_at(bytes, p + 10).ok_or_else(bad)?;
        let mut size = u32_at(bytes, p + 20).ok_or_else(bad)? as u64;
        let mut stored = u32_at(bytes, p + 24).ok_or_else(bad)? as u64;
        let name_len = u16_at(bytes, p + 28).ok_or_else(bad)? as usize;
        let extra_len = u16_at(bytes, p + 30).ok_or_else(bad)? as usize;
        let comment_len = u16_at(bytes, p + 32).ok_or_else(bad)? as usize;
        let mut local = u32_at(bytes, p + 42).ok_or_else(bad)? as u64;
        let name_bytes = bytes.get(p + 46..p + 46 + name_len).ok_or_else(bad)?;
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        let extra = bytes.get(p + 46 + name_len..p + 46 + name_len + extra_len).ok_or_else(bad)?;
        // The ZIP64 extra field holds the 64-bit values of the fields set to 0xFFFFFFFF.
        let mut e = 0;
        while e + 4 <= extra.len() {
            let (id, len) =
                (u16_at(extra, e).ok_or_else(bad)?, u16_at(extra, e + 2).ok_or_else(bad)? as usize);
            let body = extra.get(e + 4..e + 4 + len).ok_or_else(bad)?;
            if id == 1 {
                let mut k = 0;
                for v in [&mut stored, &mut size, &mut local] {
                    if *v == 0xFFFF_FFFF {
                        *v = u64_at(body, k).ok_or_else(|| err(format!("{name}: damaged ZIP64 sizes")))?;
                        k += 8;
                    }
                }
            }
            e += 4 + len;
        }
        p += 46 + name_len + extra_len + comment_len;
        if flags & 1 != 0 {
            return Err(err(format!("{name}: encrypted ZIP entries are not read")));
        }
        if method != 0 {
            return Err(err(format!(
                "{name}: compressed ZIP entry (method {method}); torch.save writes stored entries: \
                 was the archive re-zipped?"
            )));
        }
        if size != stored {
            return Err(err(format!("{name}: a stored entry of {stored} bytes claims {size} compressed")));
        }
        let local = usize::try_from(local).map_err(|_| bad())?;
        if u32_at(bytes, local) != Some(LOCAL) {
            return Err(err(format!("{name}: damaged ZIP archive (no local header)")));
        }
        let n = u16_at(bytes, local + 26).ok_or_else(bad)? as usize;
        let x = u16_at(bytes, local + 28).ok_or_else(bad)? as usize;
        let start = local + 30 + n + x;
        let data = usize::try_from(size)
            .ok()
            .and_then(|s| start.checked_add(s))
            .and_then(|end| bytes.get(start..end))
            .ok_or_else(|| err(format!("{name}: entry runs past the end of the file")))?;
        out.push((name, data));
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    /// A stored ZIP archive of `files` (for tests; no ZIP64).
    pub(crate) fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
        let (mut out, mut cd) = (Vec::new(), Vec::new());
        for (name, data) in files {
            let at = out.len() as u32;
            let n = name.len() as u16;
            let size = data.len() as u32;
            out.extend(0x0403_4b50u32.to_le_bytes());
            out.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend(size.to_le_bytes());
            out.extend(size.to_le_bytes());
            out.extend(n.to_le_bytes());
            out.extend(0u16.to_le_bytes());
            out.extend(name.as_bytes());
            out.extend(*data);
            cd.extend(0x0201_4b50u32.to_le_bytes());
            cd.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            cd.extend(size.to_le_bytes());
            cd.extend(size.to_le_bytes());
            cd.extend(n.to_le_bytes());
            cd.extend([0; 12]);
            cd.extend(at.to_le_bytes());
            cd.extend(name.as_bytes());
        }
        let cd_at = out.len() as u32;
        out.extend(&cd);
        out.extend(0x0605_4b50u32.to_le_bytes());
        out.extend([0, 0, 0, 0]);
        out.extend((files.len() as u16).to_le_bytes());
        out.extend((files.len() as u16).to_le_bytes());
        out.extend((cd.len() as u32).to_le_bytes());
        out.extend(cd_at.to_le_bytes());
        out.extend([0, 0]);
        out
    }

    #[test]
    fn stored_entries_round_trip() {
        let z = zip(&[("a/data.pkl", b"xyz"), ("a/data/0", &[1, 2, 3, 4])]);
        let e = super::entries(&z).unwrap();
        assert_eq!(
            e,
            vec![("a/data.pkl".to_string(), &b"xyz"[..]), ("a/data/0".to_string(), &[1u8, 2, 3, 4][..])]
        );
        // Every truncation is an error, not a panic.
        for k in 0..z.len() {
            assert!(super::entries(&z[..k]).is_err(), "{k}");
        }
    }
}
