//! A tiny command-line parser for the examples (no clap).
//!
//! Options are `--name` (a flag), `--name VALUE` or `--name=VALUE` (a value, possibly repeated).
//! Whatever no query claimed and does not start with `--` is a positional argument; `--` ends the options.
//! Each query marks the words it used, so [`Args::finish`] can reject unknown options and return
//! the positionals. `--help` / `-h` prints the usage and exits 0; a usage error prints the message
//! and the usage on stderr and exits 2.

use std::str::FromStr;

/// The command line of an example.
#[derive(Debug, Clone)]
pub(crate) struct Args {
    program: String,
    usage: &'static str,
    words: Vec<String>,
    used: Vec<bool>,
}

impl Args {
    /// Reads `std::env::args()`. `usage` is the text after `usage: PROGRAM `, e.g. `"--listen ADDR --maildir DIR"`.
    pub(crate) fn parse(usage: &'static str) -> Args {
        let mut all = std::env::args();
        let program = all.next().unwrap_or_else(|| "example".into());
        let program = program
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("example")
            .to_owned();
        Args::from_words(&program, usage, all.collect())
    }

    /// Builds from explicit words (the program name excluded); for tests.
    pub(crate) fn from_words(program: &str, usage: &'static str, words: Vec<String>) -> Args {
        let used = vec![false; words.len()];
        let args = Args {
            program: program.to_owned(),
            usage,
            words,
            used,
        };
        if args.options().any(|(_, w)| w == "--help" || w == "-h") {
            println!("usage: {} {}", args.program, args.usage);
            std::process::exit(0);
        }
        args
    }

    /// The words before a lone `--`, with their indices.
    fn options(&self) -> impl Iterator<Item = (usize, &str)> {
        self.words
            .iter()
            .map(String::as_str)
            .enumerate()
            .take_while(|(_, w)| *w != "--")
    }

    /// Whether `--name` is present (as a flag). Marks it used.
    pub(crate) fn flag(&mut self, name: &str) -> bool {
        let found: Vec<usize> = self
            .options()
            .filter(|(_, w)| *w == name)
            .map(|(i, _)| i)
            .collect();
        for &i in &found {
            self.used[i] = true;
        }
        !found.is_empty()
    }

    /// Every value of `--name` (`--name V` or `--name=V`), in order. Marks them used.
    /// `--name` as the last word, without a value, is a usage error.
    pub(crate) fn values(&mut self, name: &str) -> Vec<String> {
        let prefix = format!("{name}=");
        let mut out = Vec::new();
        let mut i = 0;
        let end = self.options().count();
        while i < end {
            let word = &self.words[i];
            if word == name {
                if i + 1 >= end {
                    self.usage_error(&format!("{name} needs a value"));
                }
                out.push(self.words[i + 1].clone());
                self.used[i] = true;
                self.used[i + 1] = true;
                i += 2;
            } else if let Some(v) = word.strip_prefix(&prefix) {
                out.push(v.to_owned());
                self.used[i] = true;
                i += 1;
            } else {
                i += 1;
            }
        }
        out
    }

    /// The value of `--name`, if given; given twice is a usage error.
    pub(crate) fn value(&mut self, name: &str) -> Option<String> {
        let mut all = self.values(name);
        if all.len() > 1 {
            self.usage_error(&format!("{name} given more than once"));
        }
        all.pop()
    }

    /// The value of `--name`, or a usage error saying it is missing.
    pub(crate) fn required(&mut self, name: &str) -> String {
        match self.value(name) {
            Some(v) => v,
            None => self.usage_error(&format!("missing {name}")),
        }
    }

    /// The value of `--name` parsed as `T`, if given; a value that does not parse is a usage error.
    pub(crate) fn parsed<T: FromStr>(&mut self, name: &str) -> Option<T> {
        let raw = self.value(name)?;
        match raw.parse() {
            Ok(v) => Some(v),
            Err(_) => self.usage_error(&format!("{name}: cannot understand {raw:?}")),
        }
    }

    /// A `NAME:PASS` value of `--name` (as in `--user alice:secret`), split at the first colon.
    pub(crate) fn user_pass(&mut self, name: &str) -> Option<(String, String)> {
        let raw = self.value(name)?;
        match raw.split_once(':') {
            Some((user, pass)) if !user.is_empty() => Some((user.to_owned(), pass.to_owned())),
            _ => self.usage_error(&format!("{name} wants NAME:PASS")),
        }
    }

    /// Ends parsing: an option no query claimed is a usage error; returns the positional words
    /// (those not starting with `--`, and everything after a lone `--`).
    pub(crate) fn finish(self) -> Vec<String> {
        match self.try_finish() {
            Ok(positionals) => positionals,
            Err(message) => self.usage_error(&message),
        }
    }

    /// [`finish`](Self::finish) without exiting: `Err` names the first unknown option.
    pub(crate) fn try_finish(&self) -> Result<Vec<String>, String> {
        let mut positionals = Vec::new();
        let mut after_dashes = false;
        for (i, word) in self.words.iter().enumerate() {
            if after_dashes {
                positionals.push(word.clone());
            } else if word == "--" {
                after_dashes = true;
            } else if !self.used[i] {
                if word.starts_with("--") {
                    return Err(format!("unknown option {word}"));
                }
                positionals.push(word.clone());
            }
        }
        Ok(positionals)
    }

    /// Prints `error: MESSAGE` and the usage on stderr and exits with status 2.
    pub(crate) fn usage_error(&self, message: &str) -> ! {
        eprintln!("error: {message}\nusage: {} {}", self.program, self.usage);
        std::process::exit(2)
    }
}
