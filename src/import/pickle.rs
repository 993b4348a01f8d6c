//! A pickle reader that executes nothing: the opcodes of protocols 2 to 5 that `torch.save`
//! and plain Python data use, read into a tree of [`Obj`]. Calls (`REDUCE`, `NEWOBJ`) are
//! evaluated only for the few globals a `state_dict` needs (`collections.OrderedDict`,
//! `torch._utils._rebuild_tensor_v2`, `_rebuild_parameter`); any other call becomes an
//! opaque [`Obj::Call`] naming the global, so a pickled module is recognised and refused,
//! never run.

use super::ImportError;

fn err(problem: impl Into<String>) -> ImportError {
    ImportError { what: Some("data.pkl".into()), problem: problem.into() }
}

/// An object of the arena, referred to by index.
pub(crate) type Id = usize;

/// A value read from a pickle.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Obj {
    None,
    Bool(bool),
    Int(i64),
    /// An integer outside `i64`: only its existence matters here.
    BigInt,
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Id>),
    List(Vec<Id>),
    /// A dict or `OrderedDict`, in insertion order.
    Dict(Vec<(Id, Id)>),
    /// A global name (`module.name`), not imported.
    Global(String),
    /// A call of a global that is not evaluated: `module.name(args)`.
    Call(String),
    /// A persistent id (`torch.save` storages): the tuple it holds.
    Persistent(Id),
    /// `_rebuild_tensor_v2(storage, offset, size, stride, ...)`.
    Tensor {
        storage: Id,
        offset: i64,
        size: Vec<i64>,
        stride: Vec<i64>,
    },
}

/// A read pickle: the arena and the top object.
pub(crate) struct Pickle {
    pub(crate) objs: Vec<Obj>,
    pub(crate) top: Id,
}

impl Pickle {
    pub(crate) fn get(&self, id: Id) -> &Obj {
        &self.objs[id]
    }
    /// The string at `id`, if it is one.
    pub(crate) fn str(&self, id: Id) -> Option<&str> {
        match &self.objs[id] {
            Obj::Str(s) => Some(s),
            _ => None,
        }
    }
}

enum Slot {
    Mark,
    Obj(Id),
}

/// Read a pickle. Errors name the opcode and byte offset.
pub(crate) fn read(bytes: &[u8]) -> Result<Pickle, ImportError> {
    let mut objs: Vec<Obj> = Vec::new();
    let mut stack: Vec<Slot> = Vec::new();
    let mut memo: std::collections::HashMap<u64, Id> = std::collections::HashMap::new();
    let mut pos = 0usize;
    let take = |pos: &mut usize, n: usize| -> Result<&[u8], ImportError> {
        let end = pos.checked_add(n).filter(|&e| e <= bytes.len()).ok_or_else(|| err("truncated pickle"))?;
        let s = &bytes[*pos..end];
        *pos = end;
        Ok(s)
    };
    let le = |b: &[u8]| b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | x as u64);
    fn push(objs: &mut Vec<Obj>, stack: &mut Vec<Slot>, o: Obj) {
        objs.push(o);
        stack.push(Slot::Obj(objs.len() - 1));
    }
    loop {
        let at = pos;
        let op = *take(&mut pos, 1)?.first().expect("one byte");
        let bad = |what: &str| err(format!("{what} at byte {at} (opcode 0x{op:02x})"));
        let pop = |stack: &mut Vec<Slot>| match stack.pop() {
            Some(Slot::Obj(i)) => Ok(i),
            _ => Err(bad("stack underflow or misplaced mark")),
        };
        // The items above the topmost mark, which is removed.
        let pop_mark = |stack: &mut Vec<Slot>| -> Result<Vec<Id>, ImportError> {
            let m = stack
                .iter()
                .rposition(|s| matches!(s, Slot::Mark))
                .ok_or_else(|| bad("no mark on the stack"))?;
            let items = stack
                .drain(m + 1..)
                .map(|s| match s {
                    Slot::Obj(i) => i,
                    Slot::Mark => unreachable!("the topmost mark is at m"),
                })
                .collect();
            stack.pop();
            Ok(items)
        };
        match op {
            0x80 => {
                let v = take(&mut pos, 1)?[0];
                if !(2..=5).contains(&v) {
                    return Err(bad(&format!("pickle protocol {v} (2 to 5 are read)")));
                }
            }
            0x95 => drop(take(&mut pos, 8)?), // FRAME: a hint only
            b'.' => {
                let top = pop(&mut stack)?;
                return Ok(Pickle { objs, top });
            }
            b'(' => stack.push(Slot::Mark),
            b'N' => push(&mut objs, &mut stack, Obj::None),
            0x88 => push(&mut objs, &mut stack, Obj::Bool(true)),
            0x89 => push(&mut objs, &mut stack, Obj::Bool(false)),
            b'J' => {
                let v = i32::from_le_bytes(take(&mut pos, 4)?.try_into().expect("4"));
                push(&mut objs, &mut stack, Obj::Int(v as i64));
            }
            b'K' => {
                let v = take(&mut pos, 1)?[0];
                push(&mut objs, &mut stack, Obj::Int(v as i64));
            }
            b'M' => {
                let v = u16::from_le_bytes(take(&mut pos, 2)?.try_into().expect("2"));
                push(&mut objs, &mut stack, Obj::Int(v as i64));
            }
            0x8a | 0x8b => {
                let n = if op == 0x8a {
                    take(&mut pos, 1)?[0] as usize
                } else {
                    u32::from_le_bytes(take(&mut pos, 4)?.try_into().expect("4")) as usize
                };
                let b = take(&mut pos, n)?;
                let o = match n {
                    0 => Obj::Int(0),
                    1..=8 => {
                        // Two's complement, little-endian, sign-extended.
                        let shift = 64 - 8 * n as u32;
                        Obj::Int(((le(b) << shift) as i64) >> shift)
                    }
                    _ => Obj::BigInt,
                };
                push(&mut objs, &mut stack, o);
            }
            b'G' => {
                let v = f64::from_be_bytes(take(&mut pos, 8)?.try_into().expect("8"));
                push(&mut objs, &mut stack, Obj::Float(v));
            }
            b'X' | 0x8c | 0x8d => {
                let n = match op {
                    0x8c => take(&mut pos, 1)?[0] as u64,
                    b'X' => le(take(&mut pos, 4)?),
                    _ => le(take(&mut pos, 8)?),
                };
                let b = take(&mut pos, usize::try_from(n).map_err(|_| bad("string too long"))?)?;
                let s = std::str::from_utf8(b).map_err(|_| bad("string is not UTF-8"))?;
                push(&mut objs, &mut stack, Obj::Str(s.to_string()));
            }
            b'U' | b'T' | b'C' | b'B' | 0x8e => {
                let n = match op {
                    b'U' | b'C' => take(&mut pos, 1)?[0] as u64,
                    b'T' | b'B' => le(take(&mut pos, 4)?),
                    _ => le(take(&mut pos, 8)?),
                };
                let b = take(&mut pos, usize::try_from(n).map_err(|_| bad("bytes too long"))?)?;
                push(&mut objs, &mut stack, Obj::Bytes(b.to_vec()));
            }
            b')' => push(&mut objs, &mut stack, Obj::Tuple(vec![])),
            b']' => push(&mut objs, &mut stack, Obj::List(vec![])),
            b'}' => push(&mut objs, &mut stack, Obj::Dict(vec![])),
            b't' => {
                let items = pop_mark(&mut stack)?;
                push(&mut objs, &mut stack, Obj::Tuple(items));
            }
            0x85..=0x87 => {
                let n = (op - 0x84) as usize;
                if stack.len() < n {
                    return Err(bad("stack underflow"));
                }
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(pop(&mut stack)?);
                }
                items.reverse();
                push(&mut objs, &mut stack, Obj::Tuple(items));
            }
            b'l' => {
                let items = pop_mark(&mut stack)?;
                push(&mut objs, &mut stack, Obj::List(items));
            }
            b'd' => {
                let items = pop_mark(&mut stack)?;
                if items.len() % 2 != 0 {
                    return Err(bad("dict of an odd number of items"));
                }
                let pairs = items.chunks(2).map(|c| (c[0], c[1])).collect();
                push(&mut objs, &mut stack, Obj::Dict(pairs));
            }
            b'a' | b'e' => {
                let items = if op == b'a' { vec![pop(&mut stack)?] } else { pop_mark(&mut stack)? };
                let list = pop(&mut stack)?;
                stack.push(Slot::Obj(list));
                match &mut objs[list] {
                    Obj::List(v) => v.extend(items),
                    Obj::Call(_) => {} // list-like object: contents not kept
                    _ => return Err(bad("append to a non-list")),
                }
            }
            b's' | b'u' => {
                let items = if op == b's' {
                    let v = pop(&mut stack)?;
                    let k = pop(&mut stack)?;
                    vec![k, v]
                } else {
                    pop_mark(&mut stack)?
                };
                if items.len() % 2 != 0 {
                    return Err(bad("SETITEMS of an odd number of items"));
                }
                let d = pop(&mut stack)?;
                stack.push(Slot::Obj(d));
                match &mut objs[d] {
                    Obj::Dict(v) => v.extend(items.chunks(2).map(|c| (c[0], c[1]))),
                    Obj::Call(_) => {} // dict-like object: contents not kept
                    _ => return Err(bad("set item of a non-dict")),
                }
            }
            0x8f => push(&mut objs, &mut stack, Obj::List(vec![])), // EMPTY_SET (as a list)
            0x90 => {
                let items = pop_mark(&mut stack)?;
                let s = pop(&mut stack)?;
                stack.push(Slot::Obj(s));
                if let Obj::List(v) = &mut objs[s] {
                    v.extend(items);
                }
            }
            0x91 => {
                let items = pop_mark(&mut stack)?;
                push(&mut objs, &mut stack, Obj::List(items));
            }
            b'c' => {
                let mut line = || -> Result<String, ImportError> {
                    let rest = &bytes[pos..];
                    let n =
                        rest.iter().position(|&b| b == b'\n').ok_or_else(|| bad("GLOBAL without newline"))?;
                    let s = String::from_utf8_lossy(&rest[..n]).into_owned();
                    pos += n + 1;
                    Ok(s)
                };
                let (module, name) = (line()?, line()?);
                push(&mut objs, &mut stack, Obj::Global(format!("{module}.{name}")));
            }
            0x93 => {
                let name = pop(&mut stack)?;
                let module = pop(&mut stack)?;
                let g = match (&objs[module], &objs[name]) {
                    (Obj::Str(m), Obj::Str(n)) => format!("{m}.{n}"),
                    _ => return Err(bad("STACK_GLOBAL of non-strings")),
                };
                push(&mut objs, &mut stack, Obj::Global(g));
            }
            b'R' | 0x81 | 0x92 => {
                if op == 0x92 {
                    pop(&mut stack)?; // NEWOBJ_EX's kwargs
                }
                let args = pop(&mut stack)?;
                let f = pop(&mut stack)?;
                let o = call(&objs, f, args).map_err(|e| bad(&e))?;
                push(&mut objs, &mut stack, o);
            }
            b'b' => {
                pop(&mut stack)?; // BUILD's state: attributes (`_metadata`), not data
            }
            b'Q' => {
                let pid = pop(&mut stack)?;
                push(&mut objs, &mut stack, Obj::Persistent(pid));
            }
            b'q' | b'r' | 0x94 => {
                let key = match op {
                    b'q' => take(&mut pos, 1)?[0] as u64,
                    b'r' => le(take(&mut pos, 4)?),
                    _ => memo.len() as u64,
                };
                let top = match stack.last() {
                    Some(Slot::Obj(i)) => *i,
                    _ => return Err(bad("memo of an empty stack")),
                };
                memo.insert(key, top);
            }
            b'h' | b'j' => {
                let key = if op == b'h' { take(&mut pos, 1)?[0] as u64 } else { le(take(&mut pos, 4)?) };
                let id = *memo.get(&key).ok_or_else(|| bad(&format!("memo key {key} not set")))?;
                stack.push(Slot::Obj(id));
            }
            b'0' => drop(pop(&mut stack)?),
            b'2' => {
                let top = pop(&mut stack)?;
                stack.push(Slot::Obj(top));
                stack.push(Slot::Obj(top));
            }
            b'1' => drop(pop_mark(&mut stack)?),
            _ => return Err(bad("unsupported pickle opcode")),
        }
    }
}

/// Evaluate a call: the known constructors of a `state_dict`, or an opaque object.
fn call(objs: &[Obj], f: Id, args: Id) -> Result<Obj, String> {
    let name = match &objs[f] {
        Obj::Global(g) => g.as_str(),
        Obj::Call(c) => return Ok(Obj::Call(c.clone())),
        _ => return Err("call of something that is not a global".into()),
    };
    let Obj::Tuple(a) = &objs[args] else {
        return Ok(Obj::Call(name.to_string()));
    };
    let int = |i: usize| match a.get(i).map(|&k| &objs[k]) {
        Some(Obj::Int(x)) => Ok(*x),
        _ => Err(format!("{name}: argument {i} is not an integer")),
    };
    let ints = |i: usize| -> Result<Vec<i64>, String> {
        match a.get(i).map(|&k| &objs[k]) {
            Some(Obj::Tuple(v)) | Some(Obj::List(v)) => v
                .iter()
                .map(|&k| match objs[k] {
                    Obj::Int(x) => Ok(x),
                    _ => Err(format!("{name}: argument {i} holds a non-integer")),
                })
                .collect(),
            _ => Err(format!("{name}: argument {i} is not a tuple of integers")),
        }
    };
    Ok(match name {
        "collections.OrderedDict" | "builtins.dict" => match a.first().map(|&k| &objs[k]) {
            None => Obj::Dict(vec![]),
            _ => Obj::Call(name.to_string()),
        },
        "torch._utils._rebuild_tensor_v2" | "torch._utils._rebuild_tensor" => {
            let storage = *a.first().ok_or_else(|| format!("{name}: no storage"))?;
            Obj::Tensor { storage, offset: int(1)?, size: ints(2)?, stride: ints(3)? }
        }
        "torch._utils._rebuild_parameter" | "torch._utils._rebuild_parameter_with_state" => {
            let data = *a.first().ok_or_else(|| format!("{name}: no data"))?;
            objs[data].clone()
        }
        _ => Obj::Call(name.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values() {
        // pickle.dumps({"a": (1, -2, 3.5), "b": [True, None]}, protocol=2)
        let b = b"\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01K\x01J\xfe\xff\xff\xffG@\x0c\x00\x00\x00\x00\x00\x00\x87q\x02X\x01\x00\x00\x00bq\x03]q\x04(\x88Neu.";
        let p = read(b).unwrap();
        let Obj::Dict(items) = p.get(p.top) else { panic!("a dict") };
        assert_eq!(p.str(items[0].0), Some("a"));
        let Obj::Tuple(t) = p.get(items[0].1) else { panic!("a tuple") };
        assert_eq!((p.get(t[0]), p.get(t[1]), p.get(t[2])), (&Obj::Int(1), &Obj::Int(-2), &Obj::Float(3.5)));
        // Every prefix is an error, not a panic.
        for k in 0..b.len() {
            assert!(read(&b[..k]).is_err());
        }
    }

    #[test]
    fn a_call_of_an_unknown_global_is_data() {
        // An object whose __reduce__ is os.system("x"), pickled (protocol 2): nothing runs.
        let b = b"\x80\x02cposix\nsystem\nq\x00X\x01\x00\x00\x00xq\x01\x85q\x02Rq\x03.";
        let p = read(b).unwrap();
        assert_eq!(p.get(p.top), &Obj::Call("posix.system".into()));
    }
}
