// An SMTP server made of Nodemailer's smtp-server (npm), for mailwire's interop tests: it stores each message.
//
//   node smtp_server.js --out DIR [--cert CERT --key KEY] [--implicit-tls] [--user NAME:PASS]
//                       [--auth-methods PLAIN,LOGIN] [--auth-before-tls]
//
// It listens on a free port of 127.0.0.1 and says `listening on 127.0.0.1:PORT` on stderr. Each message is
// written to DIR/N.eml exactly as smtp-server hands it over (dot-unstuffed, CRLF line ends as sent), and its
// envelope to DIR/N.json (MAIL FROM and its parameters, RCPT TO, the authenticated user, whether TLS was on).
// With a certificate it offers STARTTLS, or with --implicit-tls speaks TLS from the first byte. With --user
// it offers AUTH with --auth-methods (only under TLS unless --auth-before-tls) and requires it. Runs until
// killed. Its modules come from tests/interop/node/node_modules (`npm ci`, tests/peers/independent.sh).
'use strict';

const fs = require('fs');
const path = require('path');
const { SMTPServer } = require('smtp-server');

function args(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i++) {
        const key = argv[i].replace(/^--/, '');
        if (['implicit-tls', 'auth-before-tls'].includes(key)) {
            out[key] = true;
        } else {
            out[key] = argv[++i];
        }
    }
    return out;
}

const a = args(process.argv.slice(2));
if (!a.out) {
    console.error('usage: node smtp_server.js --out DIR [...]');
    process.exit(2);
}
fs.mkdirSync(a.out, { recursive: true });
const [user, pass] = a.user ? a.user.split(/:(.*)/s) : [null, null];
const methods = (a['auth-methods'] || 'PLAIN,LOGIN').split(',').map((m) => m.trim().toUpperCase());
let count = 0;

const options = {
    name: 'smtp-server.test',
    banner: 'smtp-server for mailwire interop',
    size: 50 * 1024 * 1024,
    logger: false,
    disabledCommands: [],
    authMethods: methods,
    allowInsecureAuth: Boolean(a['auth-before-tls']),
    authOptional: !user,
    hideSTARTTLS: !a.cert || Boolean(a['implicit-tls']),
    secure: Boolean(a['implicit-tls']),
    onAuth(auth, session, callback) {
        const ok = auth.username === user && auth.password === pass;
        console.error(`AUTH ${auth.method} ${ok ? 'ok' : 'refused'}`);
        if (!ok) {
            return callback(new Error('Invalid username or password'));
        }
        callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', () => {
            count += 1;
            const base = path.join(a.out, String(count));
            const body = Buffer.concat(chunks);
            fs.writeFileSync(
                base + '.json',
                JSON.stringify({
                    mail_from: session.envelope.mailFrom && session.envelope.mailFrom.address,
                    mail_options: session.envelope.mailFrom && session.envelope.mailFrom.args,
                    rcpt_tos: session.envelope.rcptTo.map((r) => r.address),
                    auth: session.user || null,
                    tls: Boolean(session.secure),
                })
            );
            fs.writeFileSync(base + '.eml.tmp', body);
            fs.renameSync(base + '.eml.tmp', base + '.eml');
            console.error(`stored ${base}.eml (${body.length} bytes)`);
            callback(null, `2.0.0 stored as ${count}`);
        });
    },
};
if (!user) {
    options.disabledCommands.push('AUTH');
}
if (a.cert) {
    options.key = fs.readFileSync(a.key);
    options.cert = fs.readFileSync(a.cert);
} else {
    options.disabledCommands.push('STARTTLS');
}

const server = new SMTPServer(options);
server.on('error', (e) => console.error(`error: ${e.message}`));
server.listen(0, '127.0.0.1', () => {
    console.error(`listening on 127.0.0.1:${server.server.address().port}`);
});
