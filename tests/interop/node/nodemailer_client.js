// Nodemailer (npm) sends messages to an SMTP server, for mailwire's interop tests.
//
//   node nodemailer_client.js HOST PORT MODE AUTH USER PASS FROM TO MESSAGE.eml...
//
// MODE is `plain` (no TLS), `starttls` (STARTTLS required) or `tls` (implicit TLS); AUTH is `none`, `PLAIN` or
// `LOGIN`. Each MESSAGE file is sent as it is (Nodemailer's `raw`: no header is added or changed) in its own
// transaction on one pooled connection. With AUTH, a wrong password is tried first and must be refused.
// Prints one line per check and `N passed, M failed`; exits 1 on any failure. What arrived is the test's
// to compare.
'use strict';

const fs = require('fs');
const nodemailer = require('nodemailer');

const [host, portText, mode, auth, user, pass, from, to, ...files] = process.argv.slice(2);
let passed = 0;
let failed = 0;

function check(name, ok, detail) {
    if (ok) {
        passed += 1;
        console.log(`ok - ${name}`);
    } else {
        failed += 1;
        console.log(`not ok - ${name} -- ${String(detail).slice(0, 400)}`);
    }
}

function transport(password) {
    return nodemailer.createTransport({
        host,
        port: Number(portText),
        secure: mode === 'tls',
        requireTLS: mode === 'starttls',
        ignoreTLS: mode === 'plain',
        tls: { rejectUnauthorized: false },
        auth: auth === 'none' ? undefined : { user, pass: password },
        authMethod: auth === 'none' ? undefined : auth,
        name: 'nodemailer.test',
        pool: true,
        maxConnections: 1,
        connectionTimeout: 20000,
        greetingTimeout: 20000,
        socketTimeout: 20000,
    });
}

async function main() {
    if (auth !== 'none') {
        const bad = transport(pass + '-wrong');
        try {
            await bad.sendMail({ envelope: { from, to: [to] }, raw: 'Subject: never\r\n\r\nnever\r\n' });
            check(`AUTH ${auth} with a wrong password is refused`, false, 'it was accepted');
        } catch (e) {
            check(`AUTH ${auth} with a wrong password is refused`, e.code === 'EAUTH', `${e.code} ${e.response}`);
        }
        bad.close();
    }
    const t = transport(pass);
    check('the server answers EHLO (verify)', await t.verify().catch((e) => e.message) === true, 'verify failed');
    for (const file of files) {
        const raw = fs.readFileSync(file);
        try {
            const info = await t.sendMail({ envelope: { from, to: [to] }, raw });
            check(
                `${file}: accepted (${(info.response || '').trim()})`,
                info.accepted.length === 1 && /^250[ -]/.test(info.response),
                JSON.stringify(info)
            );
        } catch (e) {
            check(`${file}: accepted`, false, `${e.code} ${e.response || e.message}`);
        }
    }
    t.close();
}

main()
    .catch((e) => check('no exception', false, e.stack || e))
    .finally(() => {
        console.log(`${passed} passed, ${failed} failed`);
        process.exit(failed === 0 && passed > 0 ? 0 : 1);
    });
