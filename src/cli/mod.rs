//! The commands, one module each, over what they share (`common`): reading inputs and
//! writing outputs. A command parses its arguments, calls the library, and hands the
//! result to a writer of `linregions::formats`.

mod common;
mod compare;
mod enumerate;
mod inspect;
mod partition;
mod progress;
mod random;
mod render;
mod shard;
mod stats;
mod train;
mod verify;

pub(crate) use common::*;
pub(crate) use compare::*;
pub(crate) use enumerate::*;
pub(crate) use inspect::*;
pub(crate) use partition::*;
pub(crate) use progress::*;
pub(crate) use random::*;
pub(crate) use render::*;
pub(crate) use shard::*;
pub(crate) use stats::*;
pub(crate) use train::*;
pub(crate) use verify::*;

use anyhow::{Context, Result, anyhow};
use clap::Args;
use linregions::formats::{self, Plane};
use linregions::num::fmt_q;
use linregions::{Domain, Network, Options};
use linregions::{PointError, WalkProgress, analyze_point};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
