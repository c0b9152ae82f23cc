// A database of its own for a conformance run: `node database.js create <name>` prints its URL; `drop <name>`.
// On the server of DATABASE_URL (the local PostgreSQL by default), as the test helpers do.
const { Client } = require('pg');

async function main() {
  const [action, name] = process.argv.slice(2);
  if (!['create', 'drop'].includes(action) || !/^[a-z0-9_]+$/.test(name ?? '')) throw new Error('usage: database.js create|drop <name>');
  const server = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
  const client = new Client({ connectionString: server.toString() });
  await client.connect();
  try {
    if (action === 'create') {
      await client.query(`CREATE DATABASE ${name}`);
      server.pathname = `/${name}`;
      console.log(server.toString());
    } else {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
