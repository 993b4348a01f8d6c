//! The JSON text layout every linregions writer shares, written straight from `Serialize`
//! (no `serde_json::Value` tree in between): two-space indentation, but any array or object
//! below the top level whose one-line form fits in `INLINE_WIDTH - depth` characters stays on
//! one line (`[1, 2]`, `{"a": 1}`: `", "` and `": "` separators).
//!
//! How it decides: a value at depth `d > 0` is first written on one line, into the output
//! itself, by a serializer that stops as soon as the line would pass its limit; if it stops,
//! the output is cut back and the value is written multi-line, each element again at depth
//! `d + 1`. An attempt stops within one scalar of the limit (a string too long for it is
//! refused before it is copied), so it costs about `INLINE_WIDTH` bytes of writing.
//!
//! Scalars are written as `serde_json` writes them (`arbitrary_precision` numbers raw,
//! non-finite floats as `null`), strings with its escaping, map keys as strings.

use serde::Serialize;
use serde::ser::{self, SerializeMap, SerializeSeq, SerializeStruct};
use serde_json::Value;
use std::fmt::{self, Write as _};

/// Values whose one-line form is at most this long (less the depth) are written on one line.
pub(crate) const INLINE_WIDTH: usize = 100;

/// The token `serde_json` (feature `arbitrary_precision`) serializes a `Number` under: a
/// struct of that name with one field, the number's text.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Why a write stopped: the one-line form passed its limit, or a `Serialize` impl failed.
#[derive(Debug)]
enum Stop {
    Long,
    Custom(String),
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Long => f.write_str("longer than the line"),
            Stop::Custom(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Stop::Custom(msg.to_string())
    }
}

/// `v` appended to `out` in the layout, as the value at depth `depth` (0: the document's top
/// level, which is always multi-line unless it is a scalar or empty).
pub(crate) fn write<T: Serialize + ?Sized>(v: &T, depth: usize, out: &mut String) {
    if depth > 0
        && let Some(cap) = INLINE_WIDTH.checked_sub(depth)
    {
        let start = out.len();
        match line(v, out, start + cap) {
            Ok(()) => return,
            Err(Stop::Long) => out.truncate(start),
            Err(Stop::Custom(m)) => panic!("wire structs serialize: {m}"),
        }
    }
    if let Err(e) = v.serialize(&mut W { out, mode: Mode::Pretty(depth) }) {
        panic!("wire structs serialize: {e}");
    }
}

/// `v` on one line appended to `out` if `out` then is at most `limit` bytes long; `false`
/// (and `out` cut back to where it was) if not.
pub(crate) fn fits_line<T: Serialize + ?Sized>(v: &T, out: &mut String, limit: usize) -> bool {
    let start = out.len();
    match line(v, out, limit) {
        Ok(()) => true,
        Err(Stop::Long) => {
            out.truncate(start);
            false
        }
        Err(Stop::Custom(m)) => panic!("wire structs serialize: {m}"),
    }
}

fn line<T: Serialize + ?Sized>(v: &T, out: &mut String, limit: usize) -> Result<(), Stop> {
    if out.len() > limit {
        return Err(Stop::Long);
    }
    v.serialize(&mut W { out, mode: Mode::Line(limit) })
}

/// `s` as a JSON string literal appended to `out` (serde_json's escaping; most strings of
/// the wire format, rationals and patterns, need none and are copied as they are).
pub(crate) fn push_json_string(s: &str, out: &mut String) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).expect("string"));
    }
}

#[derive(Clone, Copy)]
enum Mode {
    /// One line; stop once the output would pass this length.
    Line(usize),
    /// Multi-line at this depth (elements are laid out again at the next depth).
    Pretty(usize),
}

struct W<'a> {
    out: &'a mut String,
    mode: Mode,
}

impl W<'_> {
    fn put(&mut self, s: &str) -> Result<(), Stop> {
        if let Mode::Line(limit) = self.mode
            && self.out.len() + s.len() > limit
        {
            return Err(Stop::Long);
        }
        self.out.push_str(s);
        Ok(())
    }

    fn string(&mut self, s: &str) -> Result<(), Stop> {
        if let Mode::Line(limit) = self.mode
            && self.out.len() + s.len() + 2 > limit
        {
            return Err(Stop::Long);
        }
        push_json_string(s, self.out);
        self.check()
    }

    fn check(&self) -> Result<(), Stop> {
        match self.mode {
            Mode::Line(limit) if self.out.len() > limit => Err(Stop::Long),
            _ => Ok(()),
        }
    }

    fn display(&mut self, v: impl fmt::Display) -> Result<(), Stop> {
        write!(self.out, "{v}").expect("writing to a String");
        self.check()
    }

    /// A float as `serde_json` writes it in a `Value` (non-finite: `null`).
    fn float(&mut self, v: Value) -> Result<(), Stop> {
        let text = serde_json::to_string(&v).map_err(|e| Stop::Custom(e.to_string()))?;
        self.put(&text)
    }

    /// A tuple or struct variant to gather (see [`Variant`]).
    fn variant(&mut self, variant: &'static str) -> Variant<'_> {
        let w = W { out: &mut *self.out, mode: self.mode };
        Variant { w, variant, items: Vec::new(), fields: serde_json::Map::new() }
    }

    fn open(&mut self, close: char) -> Result<C<'_>, Stop> {
        if let Mode::Line(_) = self.mode {
            self.put(if close == ']' { "[" } else { "{" })?;
        }
        Ok(C { out: self.out, mode: self.mode, n: 0, close, key: None, raw: false })
    }
}

/// An array or object being written.
struct C<'a> {
    out: &'a mut String,
    mode: Mode,
    /// Elements written so far.
    n: usize,
    /// `']'` or `'}'`.
    close: char,
    /// A map key waiting for its value.
    key: Option<String>,
    /// `serde_json`'s number token: its one field is written as it is.
    raw: bool,
}

impl C<'_> {
    /// What goes before the next element: the separator, or (multi-line) the opening
    /// bracket, the line break and the indentation.
    fn next(&mut self) -> Result<(), Stop> {
        let first = self.n == 0;
        self.n += 1;
        match self.mode {
            Mode::Line(_) => {
                if !first {
                    W { out: self.out, mode: self.mode }.put(", ")?;
                }
            }
            Mode::Pretty(depth) => {
                self.out.push_str(match (first, self.close) {
                    (true, ']') => "[\n",
                    (true, _) => "{\n",
                    (false, _) => ",\n",
                });
                for _ in 0..=depth {
                    self.out.push_str("  ");
                }
            }
        }
        Ok(())
    }

    fn element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
        match self.mode {
            Mode::Line(_) => v.serialize(&mut W { out: self.out, mode: self.mode }),
            Mode::Pretty(depth) => {
                write(v, depth + 1, self.out);
                Ok(())
            }
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, v: &T) -> Result<(), Stop> {
        self.next()?;
        let mut w = W { out: self.out, mode: self.mode };
        w.string(key)?;
        w.put(": ")?;
        self.element(v)
    }

    fn close(self) -> Result<(), Stop> {
        let mut w = W { out: self.out, mode: self.mode };
        match self.mode {
            Mode::Line(_) => w.put(if self.close == ']' { "]" } else { "}" }),
            Mode::Pretty(_) if self.n == 0 => w.put(if self.close == ']' { "[]" } else { "{}" }),
            Mode::Pretty(depth) => {
                w.out.push('\n');
                for _ in 0..depth {
                    w.out.push_str("  ");
                }
                w.out.push(self.close);
                Ok(())
            }
        }
    }
}

/// The three sequence traits of serde (arrays, tuples, tuple structs): each element after
/// its separator, then the closing bracket.
macro_rules! sequences {
    ($($tr:ident :: $method:ident),*) => {$(
        impl ser::$tr for C<'_> {
            type Ok = ();
            type Error = Stop;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
                self.next()?;
                self.element(v)
            }
            fn end(self) -> Result<(), Stop> {
                self.close()
            }
        }
    )*};
}

sequences!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl SerializeMap for C<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Stop> {
        self.key = Some(key_string(key)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
        let key = self.key.take().ok_or_else(|| Stop::Custom("a map value without a key".into()))?;
        self.field(&key, v)
    }
    fn end(self) -> Result<(), Stop> {
        self.close()
    }
}

impl SerializeStruct for C<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Stop> {
        if self.raw {
            let text = key_string(v)?;
            return W { out: self.out, mode: self.mode }.put(&text);
        }
        self.field(key, v)
    }
    fn end(self) -> Result<(), Stop> {
        if self.raw { Ok(()) } else { self.close() }
    }
}

/// A tuple or struct enum variant, `{"variant": [...]}` / `{"variant": {...}}`: rare on the
/// wire, so gathered as a `Value` and written when complete.
struct Variant<'a> {
    w: W<'a>,
    variant: &'static str,
    items: Vec<Value>,
    fields: serde_json::Map<String, Value>,
}

impl Variant<'_> {
    fn value<T: Serialize + ?Sized>(v: &T) -> Result<Value, Stop> {
        serde_json::to_value(v).map_err(|e| Stop::Custom(e.to_string()))
    }
    fn finish(mut self, inner: Value) -> Result<(), Stop> {
        let mut m = serde_json::Map::new();
        m.insert(self.variant.to_string(), inner);
        Value::Object(m).serialize(&mut self.w)
    }
}

impl ser::SerializeTupleVariant for Variant<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
        self.items.push(Self::value(v)?);
        Ok(())
    }
    fn end(mut self) -> Result<(), Stop> {
        let items = std::mem::take(&mut self.items);
        self.finish(Value::Array(items))
    }
}

impl ser::SerializeStructVariant for Variant<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Stop> {
        self.fields.insert(key.to_string(), Self::value(v)?);
        Ok(())
    }
    fn end(mut self) -> Result<(), Stop> {
        let fields = std::mem::take(&mut self.fields);
        self.finish(Value::Object(fields))
    }
}

/// A map key (or `serde_json`'s number text) as the string `serde_json` makes of it.
fn key_string<T: Serialize + ?Sized>(key: &T) -> Result<String, Stop> {
    match serde_json::to_value(key).map_err(|e| Stop::Custom(e.to_string()))? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(Stop::Custom(format!("a map key must be a string, not {other}"))),
    }
}

/// The integer methods of the serializer: each writes its value's decimal text.
macro_rules! integers {
    ($($name:ident: $t:ty),*) => {$(
        fn $name(self, v: $t) -> Result<(), Stop> {
            self.display(v)
        }
    )*};
}

impl<'a, 'b> ser::Serializer for &'b mut W<'a> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = C<'b>;
    type SerializeTuple = C<'b>;
    type SerializeTupleStruct = C<'b>;
    type SerializeTupleVariant = Variant<'b>;
    type SerializeMap = C<'b>;
    type SerializeStruct = C<'b>;
    type SerializeStructVariant = Variant<'b>;

    fn serialize_bool(self, v: bool) -> Result<(), Stop> {
        self.put(if v { "true" } else { "false" })
    }
    integers! {
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64, serialize_i128: i128,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_u128: u128
    }
    fn serialize_f32(self, v: f32) -> Result<(), Stop> {
        self.float(Value::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Stop> {
        self.float(Value::from(v))
    }
    fn serialize_char(self, v: char) -> Result<(), Stop> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Stop> {
        self.string(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Stop> {
        let mut s = self.serialize_seq(Some(v.len()))?;
        for b in v {
            SerializeSeq::serialize_element(&mut s, b)?;
        }
        SerializeSeq::end(s)
    }
    fn serialize_none(self) -> Result<(), Stop> {
        self.put("null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Stop> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Stop> {
        self.put("null")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Stop> {
        self.put("null")
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Stop> {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Stop> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), Stop> {
        let mut m = self.open('}')?;
        m.field(variant, v)?;
        m.close()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<C<'b>, Stop> {
        self.open(']')
    }
    fn serialize_tuple(self, _: usize) -> Result<C<'b>, Stop> {
        self.open(']')
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<C<'b>, Stop> {
        self.open(']')
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Variant<'b>, Stop> {
        Ok(self.variant(variant))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<C<'b>, Stop> {
        self.open('}')
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<C<'b>, Stop> {
        if name == NUMBER_TOKEN {
            return Ok(C { out: &mut *self.out, mode: self.mode, n: 0, close: '}', key: None, raw: true });
        }
        self.open('}')
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Variant<'b>, Stop> {
        Ok(self.variant(variant))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::random::SplitMix64;

    /// The layout as it was first written: through a whole `Value` tree, each level tried on
    /// one line in a fresh string. The direct writer must give the same bytes.
    fn reference(v: &Value, indent: usize, out: &mut String) {
        fn one_line(v: &Value, out: &mut String, cap: usize) -> bool {
            match v {
                Value::Array(a) => {
                    out.push('[');
                    for (i, x) in a.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        if !one_line(x, out, cap) || out.len() > cap {
                            return false;
                        }
                    }
                    out.push(']');
                }
                Value::Object(o) => {
                    out.push('{');
                    for (i, (k, x)) in o.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(&serde_json::to_string(k).unwrap());
                        out.push_str(": ");
                        if !one_line(x, out, cap) || out.len() > cap {
                            return false;
                        }
                    }
                    out.push('}');
                }
                scalar => out.push_str(&serde_json::to_string(scalar).unwrap()),
            }
            out.len() <= cap
        }
        let empty =
            matches!(v, Value::Array(a) if a.is_empty()) || matches!(v, Value::Object(o) if o.is_empty());
        if empty || !(v.is_array() || v.is_object()) {
            one_line(v, out, usize::MAX);
            return;
        }
        if indent > 0 {
            let mut flat = String::new();
            if one_line(v, &mut flat, INLINE_WIDTH - indent) {
                out.push_str(&flat);
                return;
            }
        }
        let pad = "  ".repeat(indent + 1);
        let items: Vec<(Option<&String>, &Value)> = match v {
            Value::Array(a) => a.iter().map(|x| (None, x)).collect(),
            Value::Object(o) => o.iter().map(|(k, x)| (Some(k), x)).collect(),
            _ => unreachable!(),
        };
        out.push_str(if v.is_array() { "[\n" } else { "{\n" });
        for (i, (k, x)) in items.iter().enumerate() {
            out.push_str(&pad);
            if let Some(k) = k {
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push_str(": ");
            }
            reference(x, indent + 1, out);
            out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
        }
        out.push_str(&"  ".repeat(indent));
        out.push(if v.is_array() { ']' } else { '}' });
    }

    fn random_value(rng: &mut SplitMix64, depth: usize) -> Value {
        let pick = rng.next_u64() % if depth > 4 { 5 } else { 8 };
        let len = |rng: &mut SplitMix64| (rng.next_u64() % 7) as usize;
        match pick {
            0 => Value::Null,
            1 => Value::Bool(rng.next_u64().is_multiple_of(2)),
            2 => serde_json::json!((rng.next_u64() >> (rng.next_u64() % 64)) as i64 - (1 << 20)),
            3 => Value::from([0.5, -1e300, 1e-310, 3.0e15, 0.1][(rng.next_u64() % 5) as usize]),
            4 => {
                let n = (rng.next_u64() % 70) as usize;
                let chars = ['0', '1', '/', '-', '"', '\\', '\n', 'é', '\u{1}', 'x'];
                Value::String((0..n).map(|_| chars[(rng.next_u64() % 10) as usize]).collect())
            }
            5 | 6 => Value::Array((0..len(rng)).map(|_| random_value(rng, depth + 1)).collect()),
            _ => Value::Object(
                (0..len(rng))
                    .map(|i| {
                        (
                            format!("k{i}{}", "x".repeat((rng.next_u64() % 12) as usize)),
                            random_value(rng, depth + 1),
                        )
                    })
                    .collect(),
            ),
        }
    }

    /// Random documents (nested arrays and objects of every length around the line width,
    /// escaped strings, floats, big numbers) give the bytes of the `Value`-tree layout, at
    /// every depth.
    #[test]
    fn direct_layout_equals_the_value_tree_layout() {
        let mut rng = SplitMix64(21);
        let (mut inline, mut multi) = (0, 0);
        for case in 0..3000 {
            let v = random_value(&mut rng, 0);
            for depth in [0, 1, 2, 5] {
                let (mut direct, mut old) = (String::new(), String::new());
                write(&v, depth, &mut direct);
                reference(&v, depth, &mut old);
                assert_eq!(direct, old, "case {case}, depth {depth}: {v}");
                if depth == 2 && (v.is_array() || v.is_object()) {
                    if direct.contains('\n') { multi += 1 } else { inline += 1 }
                }
            }
        }
        assert!(inline > 300 && multi > 300, "{inline} one-line, {multi} multi-line");
    }

    /// Every shape serde gives a type: enum variants of each kind, options, tuples, maps
    /// with number keys, non-finite floats, chars and bytes, as `serde_json::to_value` makes
    /// them.
    #[test]
    fn every_serde_shape_is_laid_out_as_its_value() {
        #[derive(Serialize)]
        enum E {
            Unit,
            New(Vec<u32>),
            Tuple(i8, String),
            Struct { a: Option<f64>, b: char },
        }
        #[derive(Serialize)]
        struct Unit;
        #[derive(Serialize)]
        struct Newtype(Vec<E>);
        #[derive(Serialize)]
        struct S {
            e: Vec<E>,
            t: (u8, i128, u128, f32),
            m: std::collections::BTreeMap<i64, Vec<bool>>,
            unit: Unit,
            n: Newtype,
            bytes: serde_bytes_like::Bytes,
            none: Option<u8>,
        }
        mod serde_bytes_like {
            pub struct Bytes(pub Vec<u8>);
            impl serde::Serialize for Bytes {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_bytes(&self.0)
                }
            }
        }
        for width in [0usize, 1, 3, 30] {
            let s = S {
                e: vec![
                    E::Unit,
                    E::New(vec![7; width]),
                    E::Tuple(-3, "q\"".repeat(width)),
                    E::Struct { a: Some(f64::NAN), b: 'é' },
                    E::Struct { a: Some(-0.25), b: '\n' },
                    E::Struct { a: None, b: 'x' },
                ],
                t: (255, i128::MIN, u128::MAX, f32::INFINITY),
                m: (0..width as i64).map(|k| (k - 2, vec![true; width])).collect(),
                unit: Unit,
                n: Newtype((0..width).map(|_| E::Unit).collect()),
                bytes: serde_bytes_like::Bytes(vec![1; width]),
                none: None,
            };
            let v = serde_json::to_value(&s).unwrap();
            for depth in [0, 1, 3] {
                let (mut direct, mut old) = (String::new(), String::new());
                write(&s, depth, &mut direct);
                reference(&v, depth, &mut old);
                assert_eq!(direct, old, "width {width}, depth {depth}");
            }
        }
    }
}
