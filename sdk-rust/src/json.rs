//! Strict JSON: like `serde_json::from_slice` into a [`Value`], but an object that names a
//! member twice is an error (RFC 7515 §5.2 and RFC 7519 §7.2 let a verifier reject such
//! input; different parsers keep different duplicates, so accepting them invites confusion).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parses `bytes` as one JSON value, refusing duplicate object members at every depth.
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice::<Strict>(bytes).map(|s| s.0)
}

/// Parses `bytes` as one JSON object, refusing duplicate members at every depth.
pub(crate) fn parse_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    match parse(bytes) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // serde_json reports fractions, exponents and integers beyond u64 here. They stay
        // floats, so the claim readers, which want integers, refuse them.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom("duplicate member name"));
            }
            let Strict(value) = access.next_value()?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_json() {
        let v = parse(br#"{"a":1,"b":[1,{"c":null}],"d":"x\u00e9","e":-5,"f":1.5}"#).unwrap();
        assert_eq!(v["a"], 1);
        assert_eq!(v["e"].as_i64(), Some(-5));
        assert!(v["f"].is_f64());
        assert_eq!(v["d"], "xé");
    }

    #[test]
    fn refuses_duplicates_at_any_depth() {
        assert!(parse(br#"{"a":1,"a":1}"#).is_err());
        assert!(parse(br#"{"x":{"a":1,"a":2}}"#).is_err());
        assert!(parse(br#"[{"a":1,"a":2}]"#).is_err());
        // Escapes that spell the same name are the same name.
        assert!(parse(br#"{"a":1,"\u0061":2}"#).is_err());
    }

    #[test]
    fn numbers_that_are_not_i64_integers_stay_floats() {
        assert!(parse(b"1e3").unwrap().as_i64().is_none());
        assert!(parse(b"1.0").unwrap().as_i64().is_none());
        assert!(parse(b"9223372036854775808").unwrap().as_i64().is_none());
        assert!(parse(b"18446744073709551616").unwrap().as_u64().is_none());
        assert_eq!(
            parse(b"-9223372036854775808").unwrap().as_i64(),
            Some(i64::MIN)
        );
    }

    #[test]
    fn refuses_trailing_data_and_lone_surrogates() {
        assert!(parse(b"{} {}").is_err());
        assert!(parse(br#""\ud800""#).is_err());
        assert!(parse_object(b"[]").is_none());
    }
}
