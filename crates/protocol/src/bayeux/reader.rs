//! A streaming reader of Bayeux bodies: fed the bytes of a body piece by piece, it decodes each
//! message of the top-level array as soon as its closing brace has arrived.
//!
//! Why: a `/meta/connect` reply after a stall (a backlog, a burst of calls) carries thousands of
//! messages. Reading such a body whole and then decoding it held the text, the decoded messages
//! and their payloads at once — several copies of a body of megabytes, and wasm memory never
//! shrinks once grown. Fed in pieces, the reader holds at most one piece and one message.
//!
//! How: only the structure is scanned — string, escape and nesting state — and a message's
//! bytes are handed to `serde_json` once its top-level element closes. The structural bytes
//! (`"`, `\`, brackets, `,`) are ASCII and never occur inside a multi-byte UTF-8 sequence, so
//! pieces may be cut anywhere, even inside a character or a string.
//!
//! Tolerant like [`super::parse_messages`]: an element that is not a message, or does not
//! decode, is an error in its place and the next one is read; a body that is not an array
//! (nor a single message object) is one error and the rest of it is ignored. Nothing the peer
//! sends can make it panic, and error texts never quote the body (they are logged).

use super::Message;
use crate::redacted_error;
use serde::de::DeserializeOwned;

/// A message buffer grown past this is released after its message (one huge message must
/// not keep its size for the rest of the session).
const KEEP_CAPACITY: usize = 64 * 1024;

/// The largest message kept for decoding; a larger one is scanned to its end and skipped (an
/// error in its place). A GWS notification is about a kilobyte; a message a thousand times that
/// is broken or hostile, and holding it whatever its size would grow the wasm memory for good
/// (it never shrinks) or abort the widget when it cannot.
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// Where in the body the reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Nothing but whitespace so far.
    Start,
    /// Inside the array, between elements.
    Between,
    /// Inside an element.
    Item,
    /// After the array's `]` (or the single object's `}`): only whitespace may follow.
    End,
    /// Not a message body: the rest is ignored.
    Broken,
}

/// Decodes the messages of a Bayeux body as its bytes arrive. See the module docs.
#[derive(Debug)]
pub struct MessageReader {
    place: Place,
    /// The body is one message object, not an array.
    single: bool,
    /// The bytes of the element being read that came in earlier pieces.
    item: Vec<u8>,
    /// Nesting depth inside the element (0: a scalar element).
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// Index of the element being read (for error texts).
    index: usize,
    /// The element being read passed [`MAX_MESSAGE_BYTES`]: its bytes are no longer kept.
    oversized: bool,
    trailing_reported: bool,
}

impl Default for MessageReader {
    fn default() -> Self {
        MessageReader::new()
    }
}

impl MessageReader {
    /// A reader at the start of a body.
    pub fn new() -> Self {
        MessageReader {
            place: Place::Start,
            single: false,
            item: Vec::new(),
            depth: 0,
            in_string: false,
            escaped: false,
            index: 0,
            oversized: false,
            trailing_reported: false,
        }
    }

    /// Reads the next piece of the body: every message completed in it, in order, or an error
    /// in its place. `D` is what `data` becomes (see [`super::parse_messages`]).
    pub fn feed<D: DeserializeOwned>(&mut self, bytes: &[u8]) -> Vec<Result<Message<D>, String>> {
        let mut out = Vec::new();
        // Where the current element starts in this piece (0 when it began in an earlier one).
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let byte = bytes[i];
            match self.place {
                Place::Item => {
                    // `Some(end)`: the element ends before `end` (exclusive).
                    let mut ends = None;
                    if self.in_string {
                        if self.escaped {
                            self.escaped = false;
                        } else if byte == b'\\' {
                            self.escaped = true;
                        } else if byte == b'"' {
                            self.in_string = false;
                            if self.depth == 0 {
                                ends = Some(i + 1);
                            }
                        }
                    } else {
                        match byte {
                            b'"' => self.in_string = true,
                            b'{' | b'[' => self.depth += 1,
                            b'}' | b']' if self.depth > 0 => {
                                self.depth -= 1;
                                if self.depth == 0 {
                                    ends = Some(i + 1);
                                }
                            }
                            // A scalar element ends at the next delimiter, which is then read
                            // as what follows the element.
                            b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n'
                                if self.depth == 0 =>
                            {
                                out.push(self.take_item(&bytes[start..i]));
                                continue;
                            }
                            _ => {}
                        }
                    }
                    if let Some(end) = ends {
                        out.push(self.take_item(&bytes[start..end]));
                    }
                }
                Place::Start | Place::Between => match byte {
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    b'[' if self.place == Place::Start => self.place = Place::Between,
                    b'{' if self.place == Place::Start => {
                        self.single = true;
                        start = i;
                        self.begin_item(byte);
                    }
                    _ if self.place == Place::Start => {
                        self.place = Place::Broken;
                        out.push(Err("not a message array".to_string()));
                    }
                    // Empty elements (`[,{…}]`) are skipped rather than refused.
                    b',' => {}
                    b']' => self.place = Place::End,
                    _ => {
                        start = i;
                        self.begin_item(byte);
                    }
                },
                Place::End => {
                    if !byte.is_ascii_whitespace() && !self.trailing_reported {
                        self.trailing_reported = true;
                        out.push(Err("trailing characters after the messages".to_string()));
                    }
                }
                Place::Broken => break,
            }
            i += 1;
        }
        if self.place == Place::Item {
            self.keep(&bytes[start..]);
        }
        out
    }

    /// Keeps the bytes of the element being read, unless it is too large to decode.
    fn keep(&mut self, bytes: &[u8]) {
        if self.oversized {
            return;
        }
        let wanted = self.item.len().saturating_add(bytes.len());
        if wanted > MAX_MESSAGE_BYTES {
            self.oversized = true;
            self.item = Vec::new();
            return;
        }
        // Doubling, as `extend` would, but never past the limit.
        if wanted > self.item.capacity() {
            let grown = (self.item.capacity() * 2).clamp(wanted, MAX_MESSAGE_BYTES);
            self.item.reserve_exact(grown - self.item.len());
        }
        self.item.extend_from_slice(bytes);
    }

    /// The body has ended: an error if it ended early (an element or the array left open, or
    /// no body at all). The reader is then ready for a new body.
    pub fn finish(&mut self) -> Option<String> {
        let error = match self.place {
            Place::Start => Some("empty body".to_string()),
            Place::Between | Place::Item => Some("truncated body".to_string()),
            Place::End | Place::Broken => None,
        };
        *self = MessageReader::new();
        error
    }

    /// Whether the reader has seen nothing of a body yet.
    pub fn is_at_start(&self) -> bool {
        self.place == Place::Start
    }

    fn begin_item(&mut self, first: u8) {
        self.place = Place::Item;
        self.depth = u32::from(first == b'{' || first == b'[');
        self.in_string = first == b'"';
        self.escaped = false;
    }

    /// Decodes the element whose last bytes are `tail` (the earlier ones are in `self.item`).
    fn take_item<D: DeserializeOwned>(&mut self, tail: &[u8]) -> Result<Message<D>, String> {
        let index = self.index;
        self.index += 1;
        self.place = if self.single {
            Place::End
        } else {
            Place::Between
        };
        let oversized = std::mem::take(&mut self.oversized)
            || self.item.len().saturating_add(tail.len()) > MAX_MESSAGE_BYTES;
        let decoded = if oversized {
            Err(format!(
                "message {index} is larger than {MAX_MESSAGE_BYTES} bytes: skipped"
            ))
        } else if self.item.is_empty() {
            return decode(index, tail);
        } else {
            self.keep(tail);
            decode(index, &self.item)
        };
        self.item.clear();
        if self.item.capacity() > KEEP_CAPACITY {
            self.item = Vec::new();
        }
        decoded
    }
}

fn decode<D: DeserializeOwned>(index: usize, bytes: &[u8]) -> Result<Message<D>, String> {
    if bytes.first() != Some(&b'{') {
        return Err(format!("item {index} is not a message"));
    }
    // As text: every other decoder of the widget reads `&str`, and one from bytes would compile
    // a second copy of serde_json's reader and of everything it decodes.
    let text = std::str::from_utf8(bytes).map_err(|_| format!("message {index}: not UTF-8"))?;
    serde_json::from_str::<Message<D>>(text)
        .map_err(|e| format!("message {index}: {}", redacted_error(&e)))
}

#[cfg(test)]
mod tests {
    use super::super::{RawData, parse_messages};
    use super::*;
    use serde_json::Value;

    type Items = Vec<Result<Message<Value>, String>>;

    /// Each item's channel, or its error.
    fn channels(items: &Items) -> Vec<Result<&str, &str>> {
        items
            .iter()
            .map(|item| {
                item.as_ref()
                    .map(|m| m.channel.as_str())
                    .map_err(|e| e.as_str())
            })
            .collect()
    }

    fn read_in(pieces: &[&[u8]]) -> (Items, Option<String>) {
        let mut reader = MessageReader::new();
        let mut items = Items::new();
        for piece in pieces {
            items.extend(reader.feed(piece));
        }
        (items, reader.finish())
    }

    /// Strings holding every structural character, escapes (an escaped backslash before a
    /// quote too) and multi-byte UTF-8 (two, three and four bytes).
    const TRICKY: &str = r#" [ {"channel":"/v2/me/calls","data":{"a":"x]}{,\"y\\","b":[1,{"c":"é€😀"}],"d":"\\"}},
        {"channel":"/v2/me/devices","id":7,"data":["}",{"e":null}]} ,{"channel":"/meta/connect","successful":true} ] "#;

    #[test]
    fn any_cut_gives_the_messages_of_the_whole_body() {
        let expected: Items = parse_messages::<Value>(TRICKY).expect("array");
        assert_eq!(expected.len(), 3);
        assert!(expected.iter().all(Result::is_ok));
        let bytes = TRICKY.as_bytes();
        for cut in 0..=bytes.len() {
            let (items, end) = read_in(&[&bytes[..cut], &bytes[cut..]]);
            assert_eq!(items, expected, "cut at {cut}");
            assert_eq!(end, None, "cut at {cut}");
        }
        let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(read_in(&bytewise), (expected, None));
    }

    #[test]
    fn a_message_is_given_as_soon_as_it_closes() {
        let mut reader = MessageReader::new();
        let first: Items = reader.feed(br#"[{"channel":"/a"},{"chan"#);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].as_ref().map(|m| m.channel.as_str()), Ok("/a"));
        let second: Items = reader.feed(br#"nel":"/b"}]"#);
        assert_eq!(second[0].as_ref().map(|m| m.channel.as_str()), Ok("/b"));
        assert_eq!(reader.finish(), None);
        assert!(reader.is_at_start(), "ready for the next body");
    }

    #[test]
    fn raw_data_is_kept_as_sent_across_pieces() {
        let body = br#"[{"channel":"/v2/me/calls","data":{"n":"\u00e9\"]"}}]"#;
        let mut reader = MessageReader::new();
        let mut items = reader.feed::<RawData>(&body[..20]);
        items.extend(reader.feed::<RawData>(&body[20..]));
        let data = items[0]
            .as_ref()
            .expect("message")
            .data
            .as_ref()
            .map(RawData::get);
        assert_eq!(data, Some(r#"{"n":"\u00e9\"]"}"#));
    }

    #[test]
    fn malformed_and_foreign_elements_are_errors_in_place() {
        let body = br#"[42, "a,]}", {"channel":}, true, {"channel":"/ok"}, [1,{"x":"]"}], null, {"channel":"/also"}]"#;
        for size in [1, 3, 7, body.len()] {
            let pieces: Vec<&[u8]> = body.chunks(size).collect();
            let (items, end) = read_in(&pieces);
            assert_eq!(
                channels(&items),
                [
                    Err("item 0 is not a message"),
                    Err("item 1 is not a message"),
                    Err("message 2: invalid JSON at line 1 column 12"),
                    Err("item 3 is not a message"),
                    Ok("/ok"),
                    Err("item 5 is not a message"),
                    Err("item 6 is not a message"),
                    Ok("/also"),
                ],
                "pieces of {size}"
            );
            assert_eq!(end, None);
        }
    }

    #[test]
    fn a_message_that_is_not_utf8_is_an_error_in_place() {
        let mut body = br#"[{"channel":"/a","data":"x"},{"channel":"/b","data":""#.to_vec();
        body.extend_from_slice(&[0xff, 0xfe]);
        body.extend_from_slice(br#""},{"channel":"/c"}]"#);
        let (items, end) = read_in(&[&body]);
        let channels = channels(&items);
        assert_eq!(channels, [Ok("/a"), Err("message 1: not UTF-8"), Ok("/c")]);
        assert_eq!(end, None);
    }

    #[test]
    fn a_single_object_body_is_one_message() {
        let (items, end) = read_in(&[b" {\"channel\":\"/x\",", b"\"data\":{\"a\":1}} \n"]);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].as_ref().map(|m| m.channel.as_str()), Ok("/x"));
        assert_eq!(end, None);
    }

    #[test]
    fn bodies_that_are_not_message_arrays_are_one_error() {
        for body in ["<html>proxy error</html>", "null", "42", "\"[{}]\""] {
            let (items, end) = read_in(&[body.as_bytes()]);
            assert_eq!(items, [Err("not a message array".to_string())], "{body}");
            assert_eq!(end, None, "{body}");
        }
        assert_eq!(read_in(&[b"  "]), (vec![], Some("empty body".into())));
    }

    #[test]
    fn an_early_end_keeps_what_arrived_and_says_so() {
        for body in [
            &br#"[{"channel":"/a"},{"channel":"/b""#[..],
            br#"[{"channel":"/a"}"#,
            br#"[{"channel":"/a"},"#,
            br#"[{"channel":"/a"},4"#,
        ] {
            let (items, end) = read_in(&[body]);
            assert_eq!(items.len(), 1);
            assert_eq!(items[0].as_ref().map(|m| m.channel.as_str()), Ok("/a"));
            assert_eq!(end, Some("truncated body".into()));
        }
        let (items, end) = read_in(&[b"[{\"channel\":\"/a\"}] trailing ] more"]);
        assert_eq!(items.len(), 2, "the message, then one error for the rest");
        assert!(items[0].is_ok() && items[1].is_err());
        assert_eq!(end, None);
    }

    #[test]
    fn errors_never_quote_the_body() {
        let secret = "John Smith";
        let body = br#"[{"channel":"/x","supportedConnectionTypes":"John Smith"}, "John Smith", {"John Smith"}] John Smith"#;
        let (items, end) = read_in(&[body]);
        let errors: Vec<String> = items
            .into_iter()
            .filter_map(Result::err)
            .chain(end)
            .collect();
        assert_eq!(errors.len(), 4);
        assert!(errors.iter().all(|e| !e.contains(secret)), "{errors:?}");
    }

    #[test]
    fn one_huge_message_does_not_keep_its_buffer() {
        let big = format!(
            r#"[{{"channel":"/x","data":"{}"}}, {{"channel":"/y"}}]"#,
            "z".repeat(300_000)
        );
        let mut reader = MessageReader::new();
        let mut items: Items = Vec::new();
        for piece in big.as_bytes().chunks(64 * 1024) {
            items.extend(reader.feed(piece));
        }
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(Result::is_ok));
        assert!(reader.item.capacity() <= KEEP_CAPACITY);
        assert_eq!(reader.finish(), None);
    }

    /// A message past [`MAX_MESSAGE_BYTES`] is skipped in its place, whether it arrives in
    /// pieces (never held whole: the reader's buffer stays small) or in one, and the messages
    /// around it are read as usual.
    #[test]
    fn an_oversized_message_is_skipped_without_being_held() {
        let huge = "z".repeat(MAX_MESSAGE_BYTES + 10);
        let body = format!(
            r#"[{{"channel":"/a"}}, {{"channel":"/x","data":{{"k":["{huge}"]}}}}, {{"channel":"/b"}}]"#
        );
        for piece_bytes in [64 * 1024, body.len()] {
            let mut reader = MessageReader::new();
            let mut items: Items = Vec::new();
            let mut largest_buffer = 0;
            for piece in body.as_bytes().chunks(piece_bytes) {
                items.extend(reader.feed(piece));
                largest_buffer = largest_buffer.max(reader.item.capacity());
            }
            assert_eq!(reader.finish(), None);
            let channels = channels(&items);
            assert_eq!(channels[0], Ok("/a"));
            assert!(
                channels[1].is_err_and(|e| e.contains("larger than") && e.contains("skipped")),
                "{channels:?}"
            );
            assert_eq!(channels[2], Ok("/b"));
            assert!(largest_buffer <= MAX_MESSAGE_BYTES, "{largest_buffer}");
        }
        // Just under the limit, across pieces, it is decoded.
        let fits = "z".repeat(MAX_MESSAGE_BYTES - 100);
        let body = format!(r#"[{{"channel":"/x","data":"{fits}"}}]"#);
        let mut reader = MessageReader::new();
        let mut items: Items = Vec::new();
        for piece in body.as_bytes().chunks(64 * 1024) {
            items.extend(reader.feed(piece));
        }
        assert_eq!(channels(&items), vec![Ok("/x")]);
    }
}
