module.exports = { ...require('../../jest.preset'), displayName: 'csv-import', rootDir: __dirname };
