//! The walk's record of the patterns it has met ([`Met`]): each pattern packed to bits
//! ([`pack`]) with its walk id, kept by breadth-first level so that old levels can go.

use crate::network::Pattern;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

/// A pattern packed 64 bits to a word: the walk's record of the patterns met.
pub(crate) fn pack(p: &Pattern) -> Box<[u64]> {
    p.0.chunks(64).map(|c| c.iter().enumerate().fold(0u64, |w, (i, &b)| w | (u64::from(b) << i))).collect()
}

/// The patterns the walk has met, with their ids. A walk from the start keeps them by
/// breadth-first level and drops the old levels: in a breadth-first search of an undirected
/// graph an edge joins two vertices at most one level apart, so once every region of level
/// `L` has been taken, no region can meet a pattern of a level below `L - 1` again. The
/// record then holds about three levels of patterns, not every region met (10^6 regions of
/// 2-1415-1 met 220 MB of patterns). A resumed walk does not know its levels and keeps all.
pub(crate) struct Met {
    pub(crate) ids: FxHashMap<Box<[u64]>, usize>,
    /// The id the next new pattern gets.
    next: usize,
    /// Per level still held, oldest first: its first id and its patterns; `None` for a
    /// resumed walk.
    levels: Option<VecDeque<(usize, Vec<Box<[u64]>>)>>,
    /// A 64-bit hash of every pattern dropped (8 bytes a region): a pattern met again after
    /// its level was dropped, which symmetric links exclude, is an error, never a second
    /// region (a hash collision too is an error, never a wrong answer).
    dropped: FxHashSet<u64>,
}

fn hash_of(key: &[u64]) -> u64 {
    let mut h = FxHasher::default();
    key.hash(&mut h);
    h.finish()
}

impl Met {
    pub(crate) fn by_levels(start: Box<[u64]>) -> Met {
        let ids = FxHashMap::from_iter([(start.clone(), 0)]);
        Met { ids, next: 1, levels: Some(VecDeque::from([(0, vec![start])])), dropped: FxHashSet::default() }
    }

    pub(crate) fn keeping_all(ids: FxHashMap<Box<[u64]>, usize>) -> Met {
        Met { next: ids.len(), ids, levels: None, dropped: FxHashSet::default() }
    }

    /// The position (in the levels held) of the level of region `id`.
    fn level_of(levels: &VecDeque<(usize, Vec<Box<[u64]>>)>, id: usize) -> usize {
        levels.partition_point(|(first, _)| *first <= id).saturating_sub(1)
    }

    /// Before regions `first..` are taken: drops the levels below the one before `first`'s.
    pub(crate) fn forget_before(&mut self, first: usize) {
        let Some(levels) = self.levels.as_mut() else { return };
        let keep_from = Self::level_of(levels, first).saturating_sub(1);
        for (_, keys) in levels.drain(..keep_from) {
            for key in keys {
                self.dropped.insert(hash_of(&key));
                self.ids.remove(&key);
            }
        }
    }

    /// The id of `key`, met from region `from`; a new pattern gets the next id (and
    /// `fresh` is called with it), in the level after `from`'s. `None` if `key` may be a
    /// pattern of a level already dropped (see [`Met::dropped`]).
    pub(crate) fn id(&mut self, key: Box<[u64]>, from: usize, fresh: impl FnOnce(usize)) -> Option<usize> {
        if let Some(&id) = self.ids.get(&key) {
            return Some(id);
        }
        if !self.dropped.is_empty() && self.dropped.contains(&hash_of(&key)) {
            return None;
        }
        let id = self.next;
        self.next += 1;
        if let Some(levels) = self.levels.as_mut() {
            if Self::level_of(levels, from) + 1 == levels.len() {
                levels.push_back((id, Vec::new()));
            }
            levels.back_mut().expect("a level").1.push(key.clone());
        }
        self.ids.insert(key, id);
        fresh(id);
        Some(id)
    }
}
