//! A Server-Sent Events reader (the WHATWG `text/event-stream` format): fields, comments, events
//! dispatched on a blank line, `id` kept across events. Lines and events are capped, so a hostile
//! stream cannot make it buffer without bound.

use std::io::BufRead;

/// The longest line read; longer ones end the stream with an error.
pub(crate) const MAX_LINE: usize = 64 * 1024;
/// The most `data` one event may gather before it is dispatched: as much as one line, since the
/// issuer sends each event (one JWS) as a single `data` line. More ends the stream with an error.
pub(crate) const MAX_EVENT: usize = MAX_LINE;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event` field (`message` when absent).
    pub(crate) name: String,
    /// The `data` lines, joined with `\n`.
    pub(crate) data: String,
    /// The last `id` seen on the stream, if any.
    pub(crate) id: Option<String>,
}

/// What reading one line produced.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// An event is complete.
    Event(SseEvent),
    /// Anything else (a field, a comment such as a heartbeat, an empty dispatch).
    Other,
    /// The stream ended.
    End,
}

/// Reads events from a byte stream.
pub(crate) struct SseReader<R> {
    reader: R,
    name: String,
    data: Vec<String>,
    /// Bytes of `data` gathered so far, with the line breaks that will join them.
    data_len: usize,
    id: Option<String>,
    line: Vec<u8>,
}

impl<R: BufRead> SseReader<R> {
    pub(crate) fn new(reader: R) -> Self {
        SseReader {
            reader,
            name: String::new(),
            data: Vec::new(),
            data_len: 0,
            id: None,
            line: Vec::new(),
        }
    }

    /// Reads one line and interprets it.
    ///
    /// # Errors
    /// I/O errors, a line over [`MAX_LINE`], an event over [`MAX_EVENT`], or text that is not
    /// UTF-8.
    pub(crate) fn next_line(&mut self) -> Result<Line, String> {
        self.line.clear();
        let mut limited = std::io::Read::take(&mut self.reader, MAX_LINE as u64 + 1);
        let n = limited
            .read_until(b'\n', &mut self.line)
            .map_err(|e| format!("reading the stream: {e}"))?;
        if n == 0 {
            return Ok(Line::End);
        }
        if self.line.len() > MAX_LINE {
            return Err(format!(
                "a line of the stream is longer than {MAX_LINE} bytes"
            ));
        }
        while matches!(self.line.last(), Some(b'\n' | b'\r')) {
            self.line.pop();
        }
        let text = std::str::from_utf8(&self.line).map_err(|_| "the stream is not UTF-8")?;
        if text.is_empty() {
            return Ok(self.dispatch());
        }
        if text.starts_with(':') {
            return Ok(Line::Other);
        }
        let (field, value) = match text.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (text, ""),
        };
        match field {
            "event" => self.name = value.to_owned(),
            "data" => {
                self.data_len += value.len() + usize::from(!self.data.is_empty());
                if self.data_len > MAX_EVENT {
                    return Err(format!(
                        "an event of the stream is longer than {MAX_EVENT} bytes"
                    ));
                }
                self.data.push(value.to_owned());
            }
            "id" if !value.contains('\0') => self.id = Some(value.to_owned()),
            _ => {} // `retry` and unknown fields are ignored
        }
        Ok(Line::Other)
    }

    fn dispatch(&mut self) -> Line {
        let name = std::mem::take(&mut self.name);
        self.data_len = 0;
        if self.data.is_empty() {
            return Line::Other;
        }
        let data = std::mem::take(&mut self.data).join("\n");
        Line::Event(SseEvent {
            name: if name.is_empty() {
                "message".into()
            } else {
                name
            },
            data,
            id: self.id.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str) -> Vec<SseEvent> {
        let mut r = SseReader::new(text.as_bytes());
        let mut out = Vec::new();
        loop {
            match r.next_line().unwrap() {
                Line::Event(e) => out.push(e),
                Line::Other => {}
                Line::End => return out,
            }
        }
    }

    #[test]
    fn fields_comments_and_ids() {
        let got = events("retry: 2000\n: hello\n\nid: 7\nevent: status\ndata: a.b.c\n\n: keep-alive\n\ndata:x\r\ndata: y\r\n\r\n");
        assert_eq!(
            got,
            [
                SseEvent {
                    name: "status".into(),
                    data: "a.b.c".into(),
                    id: Some("7".into())
                },
                SseEvent {
                    name: "message".into(),
                    data: "x\ny".into(),
                    id: Some("7".into())
                },
            ]
        );
    }

    #[test]
    fn an_unfinished_event_is_not_dispatched_and_long_lines_fail() {
        assert!(events("event: status\ndata: half").is_empty());
        let long = format!("data: {}\n\n", "x".repeat(MAX_LINE + 10));
        let mut r = SseReader::new(long.as_bytes());
        assert!(r.next_line().is_err());
    }

    #[test]
    fn an_event_gathering_too_many_data_lines_fails() {
        let line = format!("data: {}\n", "x".repeat(1000));
        // Just at the cap: dispatched.
        let lines = MAX_EVENT / 1001;
        let at_cap = format!("{}\n", line.repeat(lines));
        assert_eq!(events(&at_cap)[0].data.len(), lines * 1001 - 1);
        // One line more, never dispatched: the reader refuses to gather it.
        let over = line.repeat(lines + 1);
        let mut r = SseReader::new(over.as_bytes());
        let mut outcome = Ok(Line::Other);
        while outcome == Ok(Line::Other) {
            outcome = r.next_line();
        }
        assert!(
            outcome.as_ref().is_err_and(|e| e.contains("longer than")),
            "{outcome:?}"
        );
    }
}
