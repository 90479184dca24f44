A0008 APPEND Corpus2 {284+}
From: Corpus Writer <corpus@example.com>
To: Alice <alice@localhost>
Subject: appended by the corpus capture
Date: Mon, 02 Nov 2026 12:00:00 +0000
Message-ID: <corpus-append@mailwire.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Appended with LITERAL+.

