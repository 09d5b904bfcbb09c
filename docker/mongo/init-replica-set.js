// mongosh script run by the one-shot `mongo-init` service: initiates the single-member replica
// set rs0 unless it already exists, then waits until the member is a writable primary.
// Idempotent: every `docker compose up` runs it, and it only acts the first time.
const member = process.env.MONGO_RS_MEMBER || 'mongo:27017';

let initiated = false;
try {
  initiated = rs.status().ok === 1;
} catch (err) {
  // NotYetInitialized (94): a fresh data volume. Anything else is a real problem.
  if (err.code !== 94 && err.codeName !== 'NotYetInitialized') throw err;
}

if (!initiated) {
  print(`mongo-init: initiating replica set rs0 with member ${member}`);
  try {
    rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: member }] });
  } catch (err) {
    // AlreadyInitialized (23): another run got there first.
    if (err.code !== 23 && err.codeName !== 'AlreadyInitialized') throw err;
  }
}

const deadline = Date.now() + 60_000;
while (!db.hello().isWritablePrimary) {
  if (Date.now() > deadline) throw new Error('mongo-init: no writable primary after 60 s');
  sleep(500);
}
print('mongo-init: replica set rs0 has a primary');
