// imapflow (npm) drives an IMAP server through a whole session, for mailwire's interop tests.
//
//   node imapflow_client.js HOST PORT USER PASS MODE EXPECTED-1.eml EXPECTED-2.eml ...
//
// MODE is `plain` (no TLS), `starttls` (STARTTLS required) or `tls` (implicit TLS). The server must hold the
// EXPECTED messages (as it sends them: CRLF line ends) as INBOX's first messages, UIDs 1..N, and a folder
// `Lists`. Checks: LIST, SELECT, FETCH of UID, FLAGS, ENVELOPE, BODYSTRUCTURE, INTERNALDATE, RFC822.SIZE, every
// message byte for byte (BODY.PEEK[]), SEARCH, STORE, APPEND + STATUS, COPY, MOVE, IDLE woken by a second
// connection's APPEND, LOGOUT. Prints one line per check and `N passed, M failed`; exits 1 on any failure.
'use strict';

const fs = require('fs');
const { ImapFlow } = require('imapflow');

const [host, portText, user, pass, mode, ...expectedFiles] = process.argv.slice(2);
const port = Number(portText);
const expected = expectedFiles.map((f) => fs.readFileSync(f));
let passed = 0;
let failed = 0;

function check(name, ok, detail) {
    if (ok) {
        passed += 1;
        console.log(`ok - ${name}`);
    } else {
        failed += 1;
        const shown = detail === undefined ? '' : ` -- ${String(typeof detail === 'string' ? detail : JSON.stringify(detail)).slice(0, 400)}`;
        console.log(`not ok - ${name}${shown}`);
    }
}

function connect() {
    return new ImapFlow({
        host,
        port,
        secure: mode === 'tls',
        doSTARTTLS: mode === 'starttls' ? true : mode === 'plain' ? false : undefined,
        tls: { rejectUnauthorized: false },
        auth: { user, pass },
        logger: false,
        disableAutoIdle: true,
        clientInfo: { name: 'imapflow-interop' },
    });
}

async function main() {
    const client = connect();
    await client.connect();
    check('connect and LOGIN', client.authenticated !== false, client.authenticated);
    check(
        mode === 'plain' ? 'no TLS' : 'TLS on',
        mode === 'plain' ? !client.secureConnection : Boolean(client.secureConnection || client.socket.encrypted),
        { secure: client.secureConnection }
    );

    const boxes = await client.list();
    const paths = boxes.map((b) => b.path);
    check('LIST has INBOX and Lists', paths.includes('INBOX') && paths.some((p) => /Lists$/.test(p)), paths);

    const box = await client.mailboxOpen('INBOX');
    check(`SELECT INBOX: ${expected.length} messages`, box.exists === expected.length, box.exists);
    check('SELECT: UIDVALIDITY and UIDNEXT', Boolean(box.uidValidity) && Number(box.uidNext) === expected.length + 1, {
        uidValidity: String(box.uidValidity),
        uidNext: box.uidNext,
    });

    const fetched = [];
    for await (const m of client.fetch('1:*', {
        uid: true,
        flags: true,
        envelope: true,
        bodyStructure: true,
        internalDate: true,
        size: true,
    })) {
        fetched.push(m);
    }
    check(`FETCH 1:* answers ${expected.length} messages`, fetched.length === expected.length, fetched.length);
    fetched.forEach((m, i) => {
        check(`UID of ${i + 1}`, m.uid === i + 1, m.uid);
        check(`RFC822.SIZE of ${i + 1} is its CRLF size`, m.size === expected[i].length, [m.size, expected[i].length]);
        const idHeader = /^Message-ID: *(.*?)\r?$/im.exec(expected[i].toString('latin1'));
        check(
            `ENVELOPE of ${i + 1}: Message-ID`,
            idHeader && m.envelope && m.envelope.messageId === idHeader[1],
            [m.envelope && m.envelope.messageId, idHeader && idHeader[1]]
        );
        check(`BODYSTRUCTURE of ${i + 1}`, m.bodyStructure && typeof m.bodyStructure.type === 'string', m.bodyStructure);
        check(`INTERNALDATE of ${i + 1}`, m.internalDate instanceof Date && !isNaN(m.internalDate), m.internalDate);
    });

    for (let i = 0; i < expected.length; i++) {
        const m = await client.fetchOne(String(i + 1), { source: true });
        check(`BODY.PEEK[] of ${i + 1} byte for byte`, m && Buffer.compare(m.source, expected[i]) === 0, [
            m && m.source.length,
            expected[i].length,
        ]);
    }

    const all = await client.search({ all: true });
    check('SEARCH ALL', JSON.stringify(all) === JSON.stringify(expected.map((_, i) => i + 1)), all);
    const uids = await client.search({ uid: '2:*' }, { uid: true });
    check('UID SEARCH UID 2:*', uids.length === expected.length - 1 && uids[0] === 2, uids);
    const large = await client.search({ larger: 100000 });
    const largeWanted = expected.map((e, i) => (e.length > 100000 ? i + 1 : 0)).filter(Boolean);
    check('SEARCH LARGER 100000', JSON.stringify(large) === JSON.stringify(largeWanted), [large, largeWanted]);

    check('STORE +FLAGS \\Flagged', await client.messageFlagsAdd('1', ['\\Flagged']), null);
    const flagged = await client.fetchOne('1', { flags: true });
    check('FETCH FLAGS shows \\Flagged', flagged.flags.has('\\Flagged'), [...flagged.flags]);
    check('STORE -FLAGS \\Flagged', await client.messageFlagsRemove('1', ['\\Flagged']), null);

    const lists = paths.find((p) => /Lists$/.test(p));
    const appended = Buffer.from('From: Erin <erin@example.com>\r\nSubject: appended by imapflow\r\n\r\nbody\r\n.dot\r\n');
    const res = await client.append(lists, appended, ['\\Seen'], new Date('2020-01-02T03:04:05Z'));
    check('APPEND to Lists (APPENDUID)', res && res.uid === 1, res);
    const status = await client.status(lists, { messages: true, uidNext: true });
    check('STATUS Lists', status.messages === 1 && status.uidNext === 2, status);
    const copied = await client.messageCopy('1', lists);
    check('COPY 1 to Lists (COPYUID)', copied && copied.uidMap && copied.uidMap.get(1) === 2, copied);

    // IDLE: a second connection appends to INBOX; the idling one hears EXISTS.
    const other = connect();
    await other.connect();
    const woken = new Promise((resolve) => {
        const timer = setTimeout(() => resolve(null), 10000);
        client.on('exists', (data) => {
            clearTimeout(timer);
            resolve(data);
        });
    });
    const idling = client.idle();
    await new Promise((r) => setTimeout(r, 300));
    await other.append('INBOX', Buffer.from('Subject: wake up\r\n\r\nidle\r\n'));
    const exists = await woken;
    check('IDLE: EXISTS after another connection appended', exists && exists.count === expected.length + 1, exists);
    await other.logout();

    // MOVE the new message away (UID MOVE, RFC 6851); INBOX is back to the seeds.
    const moved = await client.messageMove(String(expected.length + 1), lists);
    check('MOVE to Lists', moved && moved.uidMap && moved.uidMap.size === 1, moved);
    await idling.catch(() => {});
    const after = await client.status('INBOX', { messages: true });
    check('INBOX back to the seeds after MOVE', after.messages === expected.length, after);

    await client.logout();
    check('LOGOUT', client.usable === false, client.usable);
}

main()
    .catch((e) => check('no exception', false, `${e.stack || e} ${e.responseText || ''}`))
    .finally(() => {
        console.log(`${passed} passed, ${failed} failed`);
        process.exit(failed === 0 && passed > 0 ? 0 : 1);
    });
